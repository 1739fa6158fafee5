import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repositoryRoot } from '../../worker/temporal-binaries';

/** Builds tools/ledger-verifier (the auditor's own Go program, modules from the Go proxy) into a temporary directory. */
export function buildLedgerVerifier(): (bundleJson: string, verifierKey: string) => SpawnSyncReturns<string> {
  const binary = path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-ledger-verifier-')), 'ledger-verifier');
  execFileSync('go', ['build', '-o', binary, '.'], { cwd: path.join(repositoryRoot, 'tools/ledger-verifier'), stdio: 'pipe' });
  return (bundleJson, verifierKey) => spawnSync(binary, ['-key', verifierKey], { input: bundleJson, encoding: 'utf8' });
}
