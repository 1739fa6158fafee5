import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateLogKey, parseSignerKey, signCheckpoint } from '../../activities/ledger/checkpoint';
import { leafHash, rootOf } from '../../activities/ledger/merkle';
import { proofBundle, type ProofBundle } from '../../activities/ledger/proof-bundle';
import { repositoryRoot } from '../../worker/temporal-binaries';

/** The independent verifier, built from tools/ledger-verifier with the Go toolchain (modules from the Go proxy). */
const binary = path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-ledger-verifier-')), 'ledger-verifier');
beforeAll(() => {
  execFileSync('go', ['build', '-o', binary, '.'], { cwd: path.join(repositoryRoot, 'tools/ledger-verifier'), stdio: 'pipe' });
}, 180_000);

const origin = 'ledger.alliance.example/v1';
const key = generateLogKey('ledger.alliance.example');
const signer = parseSignerKey(key.signerKey);
const leaves = Array.from({ length: 1000 }, (_, i) => leafHash(Buffer.from(`{"seq":${i + 1}}`)));
const check = (bundle: ProofBundle, verifierKey = key.verifierKey) => spawnSync(binary, ['-key', verifierKey], { input: JSON.stringify(bundle), encoding: 'utf8' });

describe('tools/ledger-verifier, built on golang.org/x/mod/sumdb/{note,tlog}', () => {
  const older = signCheckpoint({ origin, size: 377, root: rootOf(leaves, 0, 377) }, signer);
  const bundle = proofBundle(leaves, signer, origin, { indices: [0, 376, 511, 999], since: { checkpoint: older, size: 377 } });

  it('accepts the service\'s checkpoints, inclusion proofs and consistency proof', () => {
    const run = check(bundle);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`checkpoint ${origin}: 1000 entries`);
    expect(run.stdout).toContain('entry 999: included');
    expect(run.stdout).toContain('consistent with the trusted checkpoint of 377 entries');
  });

  it('rejects a checkpoint signed by another key', () => {
    const impostor = parseSignerKey(generateLogKey('ledger.alliance.example').signerKey);
    const run = check({ ...bundle, checkpoint: signCheckpoint({ origin, size: 1000, root: rootOf(leaves) }, impostor) });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/the checkpoint's signature does not verify with the trusted key/);
  });

  it('rejects a proof for a changed entry, and a log that does not extend the trusted one', () => {
    const changed = { ...bundle, entries: [{ ...bundle.entries[1]!, leafHash: leafHash(Buffer.from('{"seq":377,"edited":true}')).toString('base64') }] };
    expect(check(changed).stderr).toMatch(/entry 376 is not in the checkpoint's tree/);
    const rewritten = leaves.map((l, i) => (i === 100 ? leafHash(Buffer.from('rewritten')) : l));
    const fork = proofBundle(rewritten, signer, origin, { since: { checkpoint: older, size: 377 } });
    const run = check(fork);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/does not extend the trusted one of 377/);
  });
});
