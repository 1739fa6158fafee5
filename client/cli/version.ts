// `alliance --version`: the version of the package the running code belongs to — in the repository
// the root package.json, in the packed command line (scripts/pack-cli.ts) its own package.json.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface PackageFile {
  version?: string;
  bin?: Record<string, string>;
}

/** The version of the nearest package.json above `from` that installs `alliance`, else "unknown". */
export function cliVersion(from: string = __dirname): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as PackageFile;
      if (manifest.bin?.alliance && manifest.version) return manifest.version;
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}
