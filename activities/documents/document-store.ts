import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import type { KeyRing } from '../crypto/key-ring';
import type { SqlDriver } from '../sql/driver';
import { migrate } from '../sql/migrate';

/** A document's address: `sha256:` and the hex SHA-256 of its bytes. */
export type DocumentDigest = `sha256:${string}`;

export const digestOf = (bytes: Uint8Array): DocumentDigest => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** A document that is not where its history says, or came back other than it went in. */
export class DocumentMissingError extends Error {
  override readonly name = 'DocumentMissingError';
}

/**
 * Content-addressed bytes: what went in under a digest is what comes out, or an error. Every
 * document is sealed under the payload keys at rest (the store holds what the histories point
 * at: applications, reports, member lists), bound to its digest so a file moved to another
 * address does not open there; reading checks the digest again.
 */
export interface DocumentStore {
  /** Stores the bytes under their digest; storing them again is a no-op. */
  put(bytes: Uint8Array): Promise<DocumentDigest>;
  get(digest: DocumentDigest): Promise<Buffer>;
  /** Where the documents are, for messages and the start-up banner (no credentials). */
  readonly where: string;
  close(): Promise<void>;
}

const context = (digest: string): string => `document ${digest}`;

/** The sealed form shared by both stores: key id, newline, nonce ‖ ciphertext ‖ tag. */
const seal = (ring: KeyRing, digest: DocumentDigest, bytes: Uint8Array): Buffer => {
  const sealed = ring.seal(bytes, context(digest));
  return Buffer.concat([Buffer.from(`${sealed.keyId}\n`), sealed.bytes]);
};

const unseal = (ring: KeyRing, digest: DocumentDigest, stored: Buffer, where: string): Buffer => {
  const newline = stored.indexOf(0x0a);
  let plain: Buffer;
  try {
    plain = ring.open({ keyId: stored.subarray(0, Math.max(0, newline)).toString('utf8'), bytes: stored.subarray(newline + 1) }, context(digest));
  } catch (error) {
    throw new DocumentMissingError(`document ${digest} in ${where} does not open: ${(error as Error).message}`);
  }
  if (digestOf(plain) !== digest) throw new DocumentMissingError(`document ${digest} in ${where} is not the document its digest names`);
  return plain;
};

const checked = (digest: string): DocumentDigest => {
  if (!DIGEST.test(digest)) throw new DocumentMissingError(`"${digest.slice(0, 80)}" is not a document digest (sha256: and 64 hex digits)`);
  return digest as DocumentDigest;
};

/** One file per document under `dir/ab/sha256-ab…`: the embedded default and a single machine's. */
export class DiskDocumentStore implements DocumentStore {
  constructor(
    private readonly dir: string,
    private readonly ring: KeyRing,
  ) {}

  get where(): string {
    return this.dir;
  }

  private file(digest: DocumentDigest): string {
    const hex = digest.slice('sha256:'.length);
    return path.join(this.dir, hex.slice(0, 2), `sha256-${hex}`);
  }

  async put(bytes: Uint8Array): Promise<DocumentDigest> {
    const digest = digestOf(bytes);
    const file = this.file(digest);
    if (
      await stat(file).then(
        () => true,
        () => false,
      )
    ) {
      try {
        await this.get(digest);
        return digest;
      } catch {
        // Damaged (a crash of the machine mid-write, a disk's fault): written again below.
      }
    }
    const dir = path.dirname(file);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // Written beside, flushed to the disk and renamed over, the directory flushed too: a history
    // refers to the digest once this returns, so the document must outlive a power cut.
    const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    const written = await open(temporary, 'w', 0o600);
    try {
      await written.writeFile(seal(this.ring, digest, bytes));
      await written.sync();
    } finally {
      await written.close();
    }
    await rename(temporary, file);
    const directory = await open(dir, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
    return digest;
  }

  async get(digest: DocumentDigest): Promise<Buffer> {
    const file = this.file(checked(digest));
    let stored: Buffer;
    try {
      stored = await readFile(file);
    } catch (error) {
      throw new DocumentMissingError(
        `document ${digest} is not in ${this.dir} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}): every worker and API process must share ALLIANCE_DOCUMENTS_DIR`,
      );
    }
    return unseal(this.ring, digest, stored, this.dir);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A `documents` table in the service's database (DATABASE_URL): what every worker and API replica shares. */
export class SqlDocumentStore implements DocumentStore {
  private constructor(
    private readonly db: SqlDriver,
    private readonly ring: KeyRing,
    readonly where: string,
  ) {}

  static async open(db: SqlDriver, ring: KeyRing, where: string): Promise<SqlDocumentStore> {
    await migrate(db, 'documents', [
      {
        version: 1,
        description: 'content-addressed documents, sealed',
        up: (tx) => tx.run('CREATE TABLE IF NOT EXISTS documents (digest TEXT PRIMARY KEY, sealed TEXT NOT NULL, stored_at TEXT NOT NULL)'),
      },
    ]);
    return new SqlDocumentStore(db, ring, where);
  }

  async put(bytes: Uint8Array): Promise<DocumentDigest> {
    const digest = digestOf(bytes);
    await this.db.run('INSERT INTO documents (digest, sealed, stored_at) VALUES (?, ?, ?) ON CONFLICT (digest) DO NOTHING', [
      digest,
      seal(this.ring, digest, bytes).toString('base64'),
      new Date().toISOString(),
    ]);
    return digest;
  }

  async get(digest: DocumentDigest): Promise<Buffer> {
    const row = await this.db.get('SELECT sealed FROM documents WHERE digest = ?', [checked(digest)]);
    if (!row) throw new DocumentMissingError(`document ${digest} is not in ${this.where}`);
    return unseal(this.ring, digest, Buffer.from(String(row.sealed), 'base64'), this.where);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
