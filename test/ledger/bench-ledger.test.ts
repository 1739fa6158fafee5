import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repositoryRoot } from '../../worker/temporal-binaries';

/** `make bench-ledger`, bounded (a few seconds) so it cannot rot: it runs, prints its tables, asserts no speed. */
it('runs the ledger benchmark on a small ledger and tree and prints its figures', () => {
  const run = spawnSync(process.execPath, [path.join(repositoryRoot, 'dist/scripts/bench-ledger.js'), '200', '1000'], { encoding: 'utf8', timeout: 120_000 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/## Appends on SQLite: 200 entries/);
  expect(run.stdout).toMatch(/\| with the tree and the payload \| n=200 min [\d.]+ \/ p50/);
  expect(run.stdout).toMatch(/\| bare \(ledger row only\) \| n=200/);
  expect(run.stdout).toMatch(/Whole-ledger check .* at 200 entries: n=3/);
  expect(run.stdout).toMatch(/## A tree of 1,000 leaves[\s\S]*\| inclusion proof: size \| 10 hashes, 320 bytes \|/);
});
