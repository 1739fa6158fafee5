import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The service's version from the repository's package.json, found upwards from here (source or dist/). */
export function serviceVersion(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'alliance-orchestrator') return pkg.version ?? 'unknown';
  }
  return 'unknown';
}
