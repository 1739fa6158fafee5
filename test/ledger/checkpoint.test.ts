import { generateLogKey, keyId, openCheckpoint, parseSignerKey, parseVerifierKey, signCheckpoint } from '../../tlog/checkpoint';
import { leafHash, rootOf } from '../../tlog/merkle';

const root = rootOf(['a', 'b', 'c'].map((x) => leafHash(Buffer.from(x))));

describe('signed checkpoints (C2SP tlog-checkpoint in a signed note)', () => {
  const { signerKey, verifierKey } = generateLogKey('ledger.alliance.example');
  const signer = parseSignerKey(signerKey);
  const verifier = parseVerifierKey(verifierKey);

  it('writes the note an auditor keeps and opens it with the published verifier key', () => {
    const note = signCheckpoint({ origin: 'ledger.alliance.example/v1', size: 3, root }, signer);
    const [body, signatures] = note.split('\n\n');
    expect(body).toBe(`ledger.alliance.example/v1\n3\n${root.toString('base64')}`);
    expect(signatures).toMatch(/^\u2014 ledger\.alliance\.example [A-Za-z0-9+/]{91}=\n$/u);
    expect(Buffer.from(signatures!.trim().split(' ')[2]!, 'base64').subarray(0, 4)).toEqual(signer.id);
    expect(openCheckpoint(note, verifier)).toEqual({ origin: 'ledger.alliance.example/v1', size: 3, root });
  });

  it("keys in the form Go's sumdb/note writes: ids from the name and the public key", () => {
    expect(signerKey).toMatch(/^PRIVATE\+KEY\+ledger\.alliance\.example\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    expect(verifierKey).toMatch(/^ledger\.alliance\.example\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    const [, id, key] = /^[^+]+\+([0-9a-f]{8})\+(.+)$/.exec(verifierKey)!;
    expect(keyId('ledger.alliance.example', Buffer.from(key!, 'base64').subarray(1)).toString('hex')).toBe(id);
    expect(() => parseVerifierKey(verifierKey.replace(/\+[0-9a-f]{8}\+/, '+00000000+'))).toThrow(/id does not match/);
  });

  it('refuses a checkpoint that was altered, signed by another key, or not signed by the trusted key', () => {
    const note = signCheckpoint({ origin: 'ledger.alliance.example/v1', size: 3, root }, signer);
    expect(() => openCheckpoint(note.replace('\n3\n', '\n4\n'), verifier)).toThrow(/does not verify/);
    const impostor = generateLogKey('ledger.alliance.example');
    const forged = signCheckpoint({ origin: 'ledger.alliance.example/v1', size: 3, root }, parseSignerKey(impostor.signerKey));
    expect(() => openCheckpoint(forged, verifier)).toThrow(/no signature of ledger\.alliance\.example/);
    const sameId = forged.replace(
      /\u2014 (\S+) (\S+)/u,
      (_l, name: string, blob: string) => `\u2014 ${name} ${Buffer.concat([signer.id, Buffer.from(blob, 'base64').subarray(4)]).toString('base64')}`,
    );
    expect(() => openCheckpoint(sameId, verifier)).toThrow(/does not verify/);
    expect(() => openCheckpoint('ledger\n3\n', verifier)).toThrow(/no blank line/);
  });
});
