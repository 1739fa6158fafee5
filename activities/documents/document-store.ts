import { createHash, type KeyObject } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { KeyRing } from '../crypto/key-ring';
import { openScoped, ProjectKeys, sealScoped, SCOPE, wrappedUnder, type ScopeKeyShelf } from './project-keys';
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
 * Content-addressed bytes: what went in under a digest is what comes out, or an error. The store
 * holds what the histories point at (applications, reports, member lists). A project's documents
 * (`scope`: its workflow id) are sealed under a key of the project's own, itself sealed under the
 * payload keys, so erasing the project is crypto-shredding: its key goes and nothing it sealed
 * opens again, wherever a copy lies. Documents of no project (a call's) are sealed under the
 * payload keys. Each is bound to its digest (and scope) so a file moved elsewhere does not open;
 * reading checks the digest again.
 */
export interface DocumentStore {
  /** Stores the bytes under their digest (within the project's scope); storing them again is a no-op. */
  put(bytes: Uint8Array, scope?: string): Promise<DocumentDigest>;
  get(digest: DocumentDigest, scope?: string): Promise<Buffer>;
  /** The project's key first, then its documents: how many documents went (none the second time). */
  eraseScope(scope: string): Promise<number>;
  /** Retiring a payload key: the documents and project keys sealed under it, sealed again under the current key. */
  resealUnder(keyId: string): Promise<{ documents: number; projectKeys: number }>;
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

const unsealScoped = (key: KeyObject, scope: string, digest: DocumentDigest, stored: Buffer, where: string): Buffer => {
  const plain = openScoped(key, scope, digest, stored);
  if (!plain) throw new DocumentMissingError(`document ${digest} of ${scope} in ${where} does not open: altered, or sealed for another place`);
  if (digestOf(plain) !== digest) throw new DocumentMissingError(`document ${digest} of ${scope} in ${where} is not the document its digest names`);
  return plain;
};

const checked = (digest: string): DocumentDigest => {
  if (!DIGEST.test(digest)) throw new DocumentMissingError(`"${digest.slice(0, 80)}" is not a document digest (sha256: and 64 hex digits)`);
  return digest as DocumentDigest;
};

const checkedScope = (scope: string): string => {
  if (!SCOPE.test(scope)) throw new DocumentMissingError(`"${scope.slice(0, 80)}" is not a project's workflow id (project:<call>:<application>)`);
  return scope;
};

/** A project's scope whose key is gone: erased under the retention policy, or never written here. */
const shredded = (scope: string, digest: string, where: string): DocumentMissingError =>
  new DocumentMissingError(
    `document ${digest} of ${scope} is not in ${where}: the project's documents were erased under the retention policy, or never stored here`,
  );

/** Written beside, flushed and moved into place (renamed over, or linked where it must not replace), the directory flushed: it outlives a power cut. */
async function writeDurably(file: string, bytes: Buffer, exclusive: boolean): Promise<boolean> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const written = await open(temporary, 'w', 0o600);
  try {
    await written.writeFile(bytes);
    await written.sync();
  } finally {
    await written.close();
  }
  let placed = true;
  if (exclusive) {
    placed = await link(temporary, file).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') return false;
        throw error;
      },
    );
    await unlink(temporary);
  } else await rename(temporary, file);
  const directory = await open(dir, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
  return placed;
}

/**
 * A key file's project (its second line) and the sealed key without it. A key file without that
 * line (written before it was kept) is the sealed key whole; its project is not named in it.
 */
const withoutScope = (stored: Buffer): { scope: string | null; sealed: Buffer } => {
  const first = stored.indexOf(0x0a);
  const second = stored.indexOf(0x0a, first + 1);
  const scope = first >= 0 && second > first ? stored.subarray(first + 1, second).toString('utf8') : '';
  if (!SCOPE.test(scope)) return { scope: null, sealed: stored };
  return { scope, sealed: Buffer.concat([stored.subarray(0, first + 1), stored.subarray(second + 1)]) };
};

const readIfThere = (file: string): Promise<Buffer | null> =>
  readFile(file).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : Promise.reject(error)));

/**
 * One file per document under `dir/ab/sha256-ab…`, a project's under `dir/projects/<scope hash>/`
 * beside its sealed key: the embedded default and a single machine's.
 */
export class DiskDocumentStore implements DocumentStore {
  private readonly keys: ProjectKeys;

  constructor(
    private readonly dir: string,
    private readonly ring: KeyRing,
  ) {
    // The key file names its project on its second line (the payload key's id is the first, as in
    // every sealed file): a payload key's retirement finds the project to open it for.
    const keyFile = (scope: string) => path.join(this.scopeDir(scope), 'key');
    const withScope = (scope: string, sealed: Buffer) =>
      Buffer.concat([sealed.subarray(0, sealed.indexOf(0x0a) + 1), Buffer.from(`${scope}\n`), sealed.subarray(sealed.indexOf(0x0a) + 1)]);
    const shelf: ScopeKeyShelf = {
      read: async (scope) => {
        const stored = await readIfThere(keyFile(scope));
        const named = stored ? withoutScope(stored) : null;
        return named && (named.scope === null || named.scope === scope) ? named.sealed : null;
      },
      add: async (scope, sealed) => {
        await writeDurably(keyFile(scope), withScope(scope, sealed), true);
      },
      replace: async (scope, sealed, previous) => {
        const stored = await readIfThere(keyFile(scope));
        if (stored && withoutScope(stored).sealed.equals(previous)) await writeDurably(keyFile(scope), withScope(scope, sealed), false);
      },
    };
    this.keys = new ProjectKeys(ring, shelf);
  }

  get where(): string {
    return this.dir;
  }

  private scopeDir(scope: string): string {
    return path.join(this.dir, 'projects', createHash('sha256').update(checkedScope(scope)).digest('hex').slice(0, 32));
  }

  private file(digest: DocumentDigest, scope: string | undefined): string {
    const hex = digest.slice('sha256:'.length);
    return scope === undefined ? path.join(this.dir, hex.slice(0, 2), `sha256-${hex}`) : path.join(this.scopeDir(scope), `sha256-${hex}`);
  }

  async put(bytes: Uint8Array, scope?: string): Promise<DocumentDigest> {
    const digest = digestOf(bytes);
    const file = this.file(digest, scope);
    if (
      await stat(file).then(
        () => true,
        () => false,
      )
    ) {
      try {
        await this.get(digest, scope);
        return digest;
      } catch {
        // Damaged (a crash of the machine mid-write, a disk's fault): written again below.
      }
    }
    // A history refers to the digest once this returns, so the document must outlive a power cut.
    const sealed = scope === undefined ? seal(this.ring, digest, bytes) : sealScoped(await this.keys.keyOf(scope, true), scope, digest, bytes);
    await writeDurably(file, sealed, false);
    return digest;
  }

  async get(digest: DocumentDigest, scope?: string): Promise<Buffer> {
    const file = this.file(checked(digest), scope);
    let stored: Buffer;
    try {
      stored = await readFile(file);
    } catch (error) {
      if (scope !== undefined && !(await this.keys.stillHeld(scope))) throw shredded(scope, digest, this.dir);
      throw new DocumentMissingError(
        `document ${digest} is not in ${this.dir} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}): every worker and API process must share ALLIANCE_DOCUMENTS_DIR`,
      );
    }
    if (scope === undefined) return unseal(this.ring, digest, stored, this.dir);
    const key = await this.keys.keyOf(scope, false);
    if (!key) throw shredded(scope, digest, this.dir);
    return unsealScoped(key, scope, digest, stored, this.dir);
  }

  async resealUnder(keyId: string): Promise<{ documents: number; projectKeys: number }> {
    let documents = 0;
    for (const shelf of (await readdir(this.dir).catch(() => [] as string[])).filter((name) => /^[0-9a-f]{2}$/.test(name))) {
      for (const name of (await readdir(path.join(this.dir, shelf))).filter((n) => /^sha256-[0-9a-f]{64}$/.test(n))) {
        const file = path.join(this.dir, shelf, name);
        const stored = await readFile(file);
        if (wrappedUnder(stored) !== keyId) continue;
        const digest: DocumentDigest = `sha256:${name.slice('sha256-'.length)}`;
        await writeDurably(file, seal(this.ring, digest, unseal(this.ring, digest, stored, this.dir)), false);
        documents++;
      }
    }
    let projectKeys = 0;
    for (const hash of await readdir(path.join(this.dir, 'projects')).catch(() => [] as string[])) {
      const stored = await readIfThere(path.join(this.dir, 'projects', hash, 'key'));
      const scope = stored ? withoutScope(stored).scope : null;
      // A key file that does not name its project (no released version wrote one) cannot be opened here: its seal names the project.
      if (scope && (await this.keys.rewrap(scope, keyId))) projectKeys++;
    }
    return { documents, projectKeys };
  }

  async eraseScope(scope: string): Promise<number> {
    const dir = this.scopeDir(scope);
    const names = await readdir(dir).catch(() => [] as string[]);
    // The key first: once it is gone nothing the project sealed opens, whatever is left or copied.
    await rm(path.join(dir, 'key'), { force: true });
    this.keys.forget(scope);
    await rm(dir, { recursive: true, force: true });
    return names.filter((name) => /^sha256-[0-9a-f]{64}$/.test(name)).length;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A `documents` table in the service's database (DATABASE_URL): what every worker and API replica shares. */
export class SqlDocumentStore implements DocumentStore {
  private readonly keys: ProjectKeys;

  private constructor(
    private readonly db: SqlDriver,
    private readonly ring: KeyRing,
    readonly where: string,
  ) {
    this.keys = new ProjectKeys(ring, {
      read: async (scope) => {
        const row = await db.get('SELECT sealed FROM document_keys WHERE scope = ?', [scope]);
        return row ? Buffer.from(String(row.sealed), 'base64') : null;
      },
      add: (scope, sealed) =>
        db.run('INSERT INTO document_keys (scope, sealed, created_at) VALUES (?, ?, ?) ON CONFLICT (scope) DO NOTHING', [
          scope,
          sealed.toString('base64'),
          new Date().toISOString(),
        ]),
      replace: (scope, sealed, previous) =>
        db.run('UPDATE document_keys SET sealed = ? WHERE scope = ? AND sealed = ?', [sealed.toString('base64'), scope, previous.toString('base64')]),
    });
  }

  static async open(db: SqlDriver, ring: KeyRing, where: string): Promise<SqlDocumentStore> {
    await migrate(db, 'documents', [
      {
        version: 1,
        description: 'content-addressed documents, sealed',
        up: (tx) => tx.run('CREATE TABLE IF NOT EXISTS documents (digest TEXT PRIMARY KEY, sealed TEXT NOT NULL, stored_at TEXT NOT NULL)'),
      },
      {
        version: 2,
        description: "a project's documents under a key of its own, erased by dropping it",
        up: async (tx) => {
          await tx.run('CREATE TABLE IF NOT EXISTS document_keys (scope TEXT PRIMARY KEY, sealed TEXT NOT NULL, created_at TEXT NOT NULL)');
          await tx.run(
            'CREATE TABLE IF NOT EXISTS project_documents (scope TEXT NOT NULL, digest TEXT NOT NULL, sealed TEXT NOT NULL, stored_at TEXT NOT NULL, PRIMARY KEY (scope, digest))',
          );
        },
      },
    ]);
    return new SqlDocumentStore(db, ring, where);
  }

  async put(bytes: Uint8Array, scope?: string): Promise<DocumentDigest> {
    const digest = digestOf(bytes);
    const stored = new Date().toISOString();
    if (scope === undefined)
      await this.db.run('INSERT INTO documents (digest, sealed, stored_at) VALUES (?, ?, ?) ON CONFLICT (digest) DO NOTHING', [
        digest,
        seal(this.ring, digest, bytes).toString('base64'),
        stored,
      ]);
    else
      await this.db.run('INSERT INTO project_documents (scope, digest, sealed, stored_at) VALUES (?, ?, ?, ?) ON CONFLICT (scope, digest) DO NOTHING', [
        checkedScope(scope),
        digest,
        sealScoped(await this.keys.keyOf(scope, true), scope, digest, bytes).toString('base64'),
        stored,
      ]);
    return digest;
  }

  async get(digest: DocumentDigest, scope?: string): Promise<Buffer> {
    if (scope === undefined) {
      const row = await this.db.get('SELECT sealed FROM documents WHERE digest = ?', [checked(digest)]);
      if (!row) throw new DocumentMissingError(`document ${digest} is not in ${this.where}`);
      return unseal(this.ring, digest, Buffer.from(String(row.sealed), 'base64'), this.where);
    }
    const row = await this.db.get('SELECT sealed FROM project_documents WHERE scope = ? AND digest = ?', [checkedScope(scope), checked(digest)]);
    if (!row) {
      if (!(await this.keys.stillHeld(scope))) throw shredded(scope, digest, this.where);
      throw new DocumentMissingError(`document ${digest} of ${scope} is not in ${this.where}`);
    }
    const key = await this.keys.keyOf(scope, false);
    if (!key) throw shredded(scope, digest, this.where);
    return unsealScoped(key, scope, digest, Buffer.from(String(row.sealed), 'base64'), this.where);
  }

  async resealUnder(keyId: string): Promise<{ documents: number; projectKeys: number }> {
    let documents = 0;
    for (let after = ''; ;) {
      const rows = await this.db.all('SELECT digest, sealed FROM documents WHERE digest > ? ORDER BY digest LIMIT 500', [after]);
      if (rows.length === 0) break;
      for (const row of rows) {
        const [digest, sealed] = [String(row.digest) as DocumentDigest, String(row.sealed)];
        after = digest;
        const stored = Buffer.from(sealed, 'base64');
        if (wrappedUnder(stored) !== keyId) continue;
        const again = seal(this.ring, digest, unseal(this.ring, digest, stored, this.where)).toString('base64');
        await this.db.run('UPDATE documents SET sealed = ? WHERE digest = ? AND sealed = ?', [again, digest, sealed]);
        documents++;
      }
    }
    let projectKeys = 0;
    for (const row of await this.db.all('SELECT scope FROM document_keys ORDER BY scope')) if (await this.keys.rewrap(String(row.scope), keyId)) projectKeys++;
    return { documents, projectKeys };
  }

  async eraseScope(scope: string): Promise<number> {
    checkedScope(scope);
    const erased = await this.db.transaction('documents', async (tx) => {
      const count = Number((await tx.get('SELECT COUNT(*) AS n FROM project_documents WHERE scope = ?', [scope]))?.n ?? 0);
      await tx.run('DELETE FROM document_keys WHERE scope = ?', [scope]);
      await tx.run('DELETE FROM project_documents WHERE scope = ?', [scope]);
      return count;
    });
    this.keys.forget(scope);
    return erased;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
