import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError, type Environment } from '../../domain/environment';
import { type PayloadKeyFile, PayloadKeyId } from '../../domain/payload-keys';
import { readKeyFile } from '../../tlog/key-file';

/** What a sealed value carries besides its ciphertext: which key opens it. */
export interface Sealed {
  keyId: string;
  /** 12-byte nonce ‖ ciphertext ‖ 16-byte GCM tag. */
  bytes: Buffer;
}

/** Data that does not open: wrong key, altered bytes, or a key this process was never given. */
export class SealBrokenError extends Error {
  override readonly name = 'SealBrokenError';
}

const NONCE = 12;
const TAG = 16;

/**
 * A key as the ciphers take it fastest: given raw bytes, Node 24 first tries them as a key object
 * and builds (and drops) an error with its stack trace: 26–37 µs a cipher against 5.7, more under deep
 * async stacks (a tenth of the worker's main thread with 50 projects at once, 2026-11-28).
 */
const secretKey = (base64: string): KeyObject => createSecretKey(Buffer.from(base64, 'base64'));

/** AES-256-GCM: 12-byte random nonce ‖ ciphertext ‖ tag, the context bound in as additional data. */
export function sealBytes(key: KeyObject | Buffer, plain: Uint8Array, context: string): Buffer {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** The plaintext, or null when the bytes were altered, sealed under another key or for another context. */
export function openBytes(key: KeyObject | Buffer, sealed: Buffer, context: string): Buffer | null {
  if (sealed.length < NONCE + TAG) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
    return Buffer.concat([decipher.update(sealed.subarray(NONCE, sealed.length - TAG)), decipher.final()]);
  } catch {
    return null;
  }
}

/**
 * AES-256-GCM under named keys: new data is sealed under the current key, anything sealed under
 * any key of the ring still opens. The `context` (additional authenticated data) binds a sealed
 * value to what it claims to be, so a ciphertext moved into another slot does not open there.
 */
export class KeyRing {
  private lastReload = 0;

  private constructor(
    readonly currentId: string,
    private readonly keys: Map<string, KeyObject>,
    /** Where the keys came from: re-read when a key id is met that this process was not given. */
    private readonly source?: () => PayloadKeyFile,
  ) {}

  static fromFile(file: PayloadKeyFile, source?: () => PayloadKeyFile): KeyRing {
    return new KeyRing(file.current, new Map(file.keys.map((k) => [k.id, secretKey(k.key)])), source);
  }

  /**
   * During a rolling restart after `payload-keys rotate`, processes already restarted seal under
   * the new key while the others still run: those learn it from the file when they first meet it
   * (at most every 5 s). What they seal stays under the key they started with until they restart.
   */
  private learn(keyId: string): KeyObject | undefined {
    if (!this.source || Date.now() - this.lastReload < 5_000) return undefined;
    this.lastReload = Date.now();
    try {
      for (const k of this.source().keys) if (!this.keys.has(k.id)) this.keys.set(k.id, secretKey(k.key));
    } catch {
      // An unreadable file now is no reason to fail what the keys already held can do.
    }
    return this.keys.get(keyId);
  }

  get ids(): string[] {
    return [...this.keys.keys()];
  }

  seal(plain: Uint8Array, context: string): Sealed {
    return { keyId: this.currentId, bytes: sealBytes(this.keys.get(this.currentId)!, plain, `${this.currentId}\n${context}`) };
  }

  open(sealed: Sealed, context: string): Buffer {
    if (!PayloadKeyId.safeParse(sealed.keyId).success) throw new SealBrokenError('sealed data names no valid key id');
    const key = this.keys.get(sealed.keyId) ?? this.learn(sealed.keyId);
    if (!key)
      throw new SealBrokenError(
        `sealed under key ${sealed.keyId}, which this process was not given (it has ${this.ids.join(', ')}): add it to ALLIANCE_PAYLOAD_KEYS_FILE`,
      );
    const plain = openBytes(key, sealed.bytes, `${sealed.keyId}\n${context}`);
    if (!plain) throw new SealBrokenError(`sealed data under key ${sealed.keyId} does not open: altered, or sealed for another place`);
    return plain;
  }

  /** A key for another purpose (e.g. session cookies), derived from the current key so it rotates with it. */
  derive(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.keys.get(this.currentId)!, Buffer.alloc(0), `alliance ${purpose}`, 32));
  }
}

/** Reads and checks a payload key file; the error names the variable and what is wrong. */
export function readKeyRing(file: string, variable = 'ALLIANCE_PAYLOAD_KEYS_FILE'): KeyRing {
  return KeyRing.fromFile(readKeyFile(file, variable), () => readKeyFile(file, variable));
}

/**
 * The embedded default, for one machine: a key file made on first start in the data directory.
 * A real deployment keeps its keys elsewhere (ALLIANCE_PAYLOAD_KEYS_FILE).
 */
export function localKeyRing(dataDir: string): { ring: KeyRing; file: string } {
  const file = path.join(dataDir, 'payload-keys.json');
  if (!existsSync(file)) {
    const id = new Date().toISOString().slice(0, 10);
    const content = { current: id, keys: [{ id, key: randomBytes(32).toString('base64'), created: new Date().toISOString() }] };
    try {
      writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // The API process of this machine made it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return { ring: readKeyRing(file), file };
}

/**
 * The key ring of a service process: the shared file of a cluster (ALLIANCE_PAYLOAD_KEYS_FILE),
 * or on the embedded default the data directory's own. A process joining a cluster without the
 * file is refused: it would write plaintext, or histories it cannot read.
 */
export function serviceKeyRing(env: Pick<Environment, 'ALLIANCE_PAYLOAD_KEYS_FILE' | 'ALLIANCE_DATA_DIR' | 'TEMPORAL_ADDRESS'>): {
  ring: KeyRing;
  file: string;
} {
  if (env.ALLIANCE_PAYLOAD_KEYS_FILE) {
    try {
      return { ring: readKeyRing(env.ALLIANCE_PAYLOAD_KEYS_FILE), file: env.ALLIANCE_PAYLOAD_KEYS_FILE };
    } catch (error) {
      throw new ConfigurationError([(error as Error).message]);
    }
  }
  if (env.TEMPORAL_ADDRESS) {
    throw new ConfigurationError([
      'ALLIANCE_PAYLOAD_KEYS_FILE: expected the payload key file every worker and API process of this cluster shares (make one with `npx alliance payload-keys rotate --file <path>`): payloads are encrypted before they reach Temporal',
    ]);
  }
  mkdirSync(env.ALLIANCE_DATA_DIR, { recursive: true });
  return localKeyRing(env.ALLIANCE_DATA_DIR);
}

/** Text kept at rest encrypted under the ring (the ledger's payloads): `sealed:v1:<key id>:<base64>`. */
export interface TextSealer {
  seal(text: string, context: string): string;
  /** The text; a value without the prefix (kept before encryption) as it is; null when it does not open. */
  open(stored: string, context: string): string | null;
}

const SEALED_PREFIX = 'sealed:v1:';

/** How a text sealed under `keyId` starts: what retiring that key looks for. */
export const sealedTextPrefix = (keyId: string): string => `${SEALED_PREFIX}${keyId}:`;

/** A LIKE pattern (with ESCAPE '\\') matching the texts sealed under `keyId`: key ids may hold `_`, a LIKE wildcard. */
export const sealedTextPattern = (keyId: string): string => `${sealedTextPrefix(keyId).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function textSealer(ring: KeyRing): TextSealer {
  return {
    seal: (text, context) => {
      const sealed = ring.seal(Buffer.from(text, 'utf8'), context);
      return `${SEALED_PREFIX}${sealed.keyId}:${sealed.bytes.toString('base64')}`;
    },
    open: (stored, context) => {
      if (!stored.startsWith(SEALED_PREFIX)) return stored;
      const rest = stored.slice(SEALED_PREFIX.length);
      const colon = rest.indexOf(':');
      try {
        return ring.open({ keyId: rest.slice(0, colon), bytes: Buffer.from(rest.slice(colon + 1), 'base64') }, context).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}
