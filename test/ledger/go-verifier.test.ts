import { generateLogKey, parseSignerKey, signCheckpoint } from '../../tlog/checkpoint';
import { leafHash, rootOf } from '../../tlog/merkle';
import { proofBundle, type ProofBundle } from '../../tlog/proof-bundle';
import { sha256 } from '../../tlog/digest';
import { buildLedgerVerifier } from '../helpers/ledger-verifier';

/** The independent verifier, built from tools/ledger-verifier with the Go toolchain (modules from the Go proxy). */
let verifier: ReturnType<typeof buildLedgerVerifier>;
beforeAll(() => {
  verifier = buildLedgerVerifier();
}, 180_000);

const origin = 'ledger.alliance.example/v1';
const key = generateLogKey('ledger.alliance.example');
const signer = parseSignerKey(key.signerKey);
const leaves = Array.from({ length: 1000 }, (_, i) => leafHash(Buffer.from(`{"seq":${i + 1}}`)));
const check = (bundle: ProofBundle, verifierKey = key.verifierKey) => verifier(JSON.stringify(bundle), verifierKey);

describe('tools/ledger-verifier, built on golang.org/x/mod/sumdb/{note,tlog}', () => {
  const older = signCheckpoint({ origin, size: 377, root: rootOf(leaves, 0, 377) }, signer);
  const bundle = proofBundle(leaves, signer, origin, { indices: [0, 376, 511, 999], since: { checkpoint: older, size: 377 } });

  it("accepts the service's checkpoints, inclusion proofs and consistency proof", () => {
    const run = check(bundle);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`checkpoint ${origin}: 1000 entries`);
    expect(run.stdout).toContain('entry 999: included');
    expect(run.stdout).toContain('consistent with the trusted checkpoint of 377 entries');
  });

  it('hashes each leaf from its data and checks the payload against the digest the entry records', () => {
    const payload = '{"amountNtd":2000000}';
    const data = JSON.stringify({ seq: 1, payloadDigest: sha256(payload) });
    const withData = [leafHash(Buffer.from(data)), ...leaves.slice(1)];
    const proven = proofBundle(withData, signer, origin, { items: [{ index: 0, leafData: data, payload }] });
    expect(check(proven).stdout).toContain('entry 0: included');
    const forgedPayload = { ...proven, entries: [{ ...proven.entries[0]!, payload: '{"amountNtd":9000000}' }] };
    expect(check(forgedPayload).stderr).toMatch(/entry 0: its payload does not have the digest the entry records/);
    const forgedData = { ...proven, entries: [{ ...proven.entries[0]!, leafData: data.replace('"seq":1', '"seq":2') }] };
    expect(check(forgedData).stderr).toMatch(/entry 0: its data does not hash to the leaf the bundle names/);
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
