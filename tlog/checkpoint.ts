import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Checkpoints of the ledger's Merkle tree as C2SP signed notes (c2sp.org/tlog-checkpoint,
 * c2sp.org/signed-note): the text `origin\nsize\nbase64(root)\n`, a blank line, and one line per
 * signature, `— <key name> base64(key id ‖ Ed25519 signature)`. Keys are written as Go's
 * golang.org/x/mod/sumdb/note writes them, so an auditor's own tools read them unchanged.
 */
export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
}

const ED25519 = 0x01;
/** DER prefixes of a bare Ed25519 key in PKCS#8 and SPKI: Node's crypto takes keys in those wrappings. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const SIGNATURE_DASH = '\u2014 ';

/** Key names: non-empty, no spaces, no `+` (they separate a key's fields). */
const isKeyName = (name: string): boolean => name.length > 0 && !/[\s+]/u.test(name);

/** The key id: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), first 4 bytes. */
export function keyId(name: string, publicKey: Buffer): Buffer {
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, ED25519]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

export interface LogSigner {
  name: string;
  id: Buffer;
  privateKey: KeyObject;
}

export interface LogVerifier {
  name: string;
  id: Buffer;
  publicKey: KeyObject;
}

/** A new signing key for the log named `name`: the secret (keep it outside the database) and the verifier key (publish it). */
export function generateLogKey(name: string): { signerKey: string; verifierKey: string } {
  if (!isKeyName(name)) throw new Error(`A log key name must be non-empty, without spaces or "+": ${JSON.stringify(name)}`);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  const id = keyId(name, raw).toString('hex');
  return {
    signerKey: `PRIVATE+KEY+${name}+${id}+${Buffer.concat([Buffer.from([ED25519]), seed]).toString('base64')}`,
    verifierKey: `${name}+${id}+${Buffer.concat([Buffer.from([ED25519]), raw]).toString('base64')}`,
  };
}

function keyFields(text: string, what: string): { name: string; id: Buffer; key: Buffer } {
  // The base64 key may itself contain "+": only the first two separate fields.
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+={0,2})$/.exec(text.trim());
  if (!match) throw new Error(`${what} is not of the form name+keyid+base64key`);
  const key = Buffer.from(match[3]!, 'base64');
  if (key.length !== 33 || key[0] !== ED25519) throw new Error(`${what} is not an Ed25519 key`);
  return { name: match[1]!, id: Buffer.from(match[2]!, 'hex'), key: key.subarray(1) };
}

export function parseSignerKey(text: string): LogSigner {
  if (!text.startsWith('PRIVATE+KEY+')) throw new Error('The log signing key must start with PRIVATE+KEY+');
  const { name, id, key } = keyFields(text.slice('PRIVATE+KEY+'.length), 'The log signing key');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, key]), format: 'der', type: 'pkcs8' });
  const publicRaw = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  if (!keyId(name, publicRaw).equals(id)) throw new Error("The log signing key's id does not match its key");
  return { name, id, privateKey };
}

/** The verifier key (name+id+key) that goes with a signing key: what auditors are given. */
export function verifierKeyOf(signer: LogSigner): string {
  const raw = createPublicKey(signer.privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  return `${signer.name}+${signer.id.toString('hex')}+${Buffer.concat([Buffer.from([ED25519]), raw]).toString('base64')}`;
}

export function parseVerifierKey(text: string): LogVerifier {
  const { name, id, key } = keyFields(text, 'The log verifier key');
  if (!keyId(name, key).equals(id)) throw new Error("The log verifier key's id does not match its key");
  return { name, id, publicKey: createPublicKey({ key: Buffer.concat([SPKI_PREFIX, key]), format: 'der', type: 'spki' }) };
}

/** The checkpoint's text: origin, size, root, each on its line. */
export function checkpointText(c: Checkpoint): string {
  if (!c.origin || /[\n\r]/.test(c.origin)) throw new Error('A checkpoint origin is one non-empty line');
  if (!Number.isSafeInteger(c.size) || c.size < 0) throw new Error(`A checkpoint size is a whole number, not ${c.size}`);
  if (c.root.length !== 32) throw new Error('A checkpoint root is a SHA-256 hash');
  return `${c.origin}\n${c.size}\n${c.root.toString('base64')}\n`;
}

/** Signs a checkpoint: the signed note an auditor keeps. */
export function signCheckpoint(c: Checkpoint, signer: LogSigner): string {
  const text = checkpointText(c);
  const signature = sign(null, Buffer.from(text, 'utf8'), signer.privateKey);
  return `${text}\n${SIGNATURE_DASH}${signer.name} ${Buffer.concat([signer.id, signature]).toString('base64')}\n`;
}

/**
 * Opens a signed checkpoint with the verifier key an auditor trusts: throws unless it carries a
 * valid signature of that key; returns the origin, size and root it vouches for.
 */
export function openCheckpoint(note: string, verifier: LogVerifier): Checkpoint {
  const controls = [...note].some((c) => c.charCodeAt(0) < 0x20 && c !== '\n');
  if (note.length > 1_000_000 || controls) throw new Error('Not a signed note: too long, or control characters other than newlines');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new Error('Not a signed note: no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  let verified = false;
  for (const line of lines) {
    const match = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/u.exec(line);
    if (!match) throw new Error(`Not a signed note: malformed signature line ${JSON.stringify(line)}`);
    const blob = Buffer.from(match[2]!, 'base64');
    if (match[1] !== verifier.name || blob.length < 4 || !blob.subarray(0, 4).equals(verifier.id)) continue;
    if (!verify(null, Buffer.from(text, 'utf8'), verifier.publicKey, blob.subarray(4)))
      throw new Error(`The checkpoint's signature by ${verifier.name} does not verify: it was altered or signed by another key`);
    verified = true;
    break;
  }
  if (!verified) throw new Error(`The checkpoint carries no signature of ${verifier.name} (key ${verifier.id.toString('hex')})`);
  const [origin, size, root] = text.split('\n');
  if (!origin || !/^(0|[1-9][0-9]*)$/.test(size ?? '') || !root) throw new Error('Not a checkpoint: expected origin, size and root lines');
  const rootHash = Buffer.from(root, 'base64');
  if (rootHash.length !== 32 || rootHash.toString('base64') !== root) throw new Error('Not a checkpoint: the root is not a base64 SHA-256 hash');
  return { origin, size: Number(size), root: rootHash };
}
