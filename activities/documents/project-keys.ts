import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { openBytes, sealBytes, type KeyRing } from '../crypto/key-ring';

/** A project's scope: its workflow id (domain/ids.ts), whose parts are letters, digits and hyphens. */
export const SCOPE = /^project:[A-Za-z0-9-]{1,100}:[A-Za-z0-9-]{1,100}$/;

/**
 * The first line of a document sealed under its project's key. Not a payload key id (those
 * allow no space), so a reader of the stored form (the backup) tells the two apart.
 */
const SCOPED_MARK = Buffer.from('project key\n');

/** Where a store keeps each project's key, sealed under the payload keys. */
export interface ScopeKeyShelf {
  read(scope: string): Promise<Buffer | null>;
  /** Adds the key unless the scope has one (another process may have written it first). */
  add(scope: string, sealed: Buffer): Promise<void>;
  /** The same key sealed again (a payload key retired), unless the stored form changed meanwhile. */
  replace(scope: string, sealed: Buffer, previous: Buffer): Promise<void>;
}

/** The payload key a project's key is sealed under: the stored form's first line. */
export const wrappedUnder = (stored: Buffer): string => stored.subarray(0, Math.max(0, stored.indexOf(0x0a))).toString('utf8');

const keyContext = (scope: string): string => `document key ${scope}`;
const documentContext = (scope: string, digest: string): string => `document ${scope} ${digest}`;

/** How many projects' keys a process keeps opened: the projects it is working for, roughly. */
const CACHED_KEYS = 4_096;

/**
 * The projects' own document keys: made at a project's first document, kept sealed under the
 * payload keys (so rotating those needs nothing here), forgotten when the project is erased.
 */
export class ProjectKeys {
  private readonly opened = new Map<string, KeyObject>();

  constructor(
    private readonly ring: KeyRing,
    private readonly shelf: ScopeKeyShelf,
  ) {}

  /** The scope's key; made when `create` and there is none; null when there is none. */
  async keyOf(scope: string, create: true): Promise<KeyObject>;
  async keyOf(scope: string, create: false): Promise<KeyObject | null>;
  async keyOf(scope: string, create: boolean): Promise<KeyObject | null> {
    const held = this.opened.get(scope);
    if (held) return held;
    let stored = await this.shelf.read(scope);
    if (!stored && create) {
      await this.shelf.add(scope, this.wrap(scope, randomBytes(32)));
      // Whichever process wrote first, every one uses that key.
      stored = await this.shelf.read(scope);
      if (!stored) throw new Error(`the document key of ${scope} was written but does not read back: its key file or row is damaged`);
    }
    if (!stored) return null;
    const key = createSecretKey(this.unwrap(scope, stored));
    if (this.opened.size >= CACHED_KEYS) this.opened.delete(this.opened.keys().next().value!);
    this.opened.set(scope, key);
    return key;
  }

  /** Whether the scope has a key now, asked of the shelf (another process may have erased it): a missing document's why. */
  async stillHeld(scope: string): Promise<boolean> {
    const held = (await this.shelf.read(scope)) !== null;
    if (!held) this.forget(scope);
    return held;
  }

  /** Retiring a payload key: the project's key, if sealed under it, sealed again under the current one; whether it was. */
  async rewrap(scope: string, retiredKeyId: string): Promise<boolean> {
    const stored = await this.shelf.read(scope);
    if (!stored || wrappedUnder(stored) !== retiredKeyId) return false;
    await this.shelf.replace(scope, this.wrap(scope, this.unwrap(scope, stored)), stored);
    return true;
  }

  private wrap(scope: string, key: Buffer): Buffer {
    const sealed = this.ring.seal(key, keyContext(scope));
    return Buffer.concat([Buffer.from(`${sealed.keyId}\n`), sealed.bytes]);
  }

  private unwrap(scope: string, stored: Buffer): Buffer {
    return this.ring.open({ keyId: wrappedUnder(stored), bytes: stored.subarray(stored.indexOf(0x0a) + 1) }, keyContext(scope));
  }

  forget(scope: string): void {
    this.opened.delete(scope);
  }
}

export const sealScoped = (key: KeyObject, scope: string, digest: string, bytes: Uint8Array): Buffer =>
  Buffer.concat([SCOPED_MARK, sealBytes(key, bytes, documentContext(scope, digest))]);

/** The document, or null: not sealed under a project's key, not under this one, or altered. */
export const openScoped = (key: KeyObject, scope: string, digest: string, stored: Buffer): Buffer | null =>
  stored.subarray(0, SCOPED_MARK.length).equals(SCOPED_MARK) ? openBytes(key, stored.subarray(SCOPED_MARK.length), documentContext(scope, digest)) : null;
