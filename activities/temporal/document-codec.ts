import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { digestOf, DocumentMissingError, type DocumentDigest, type DocumentStore } from '../documents/document-store';

export const DOCUMENTS_ENCODING = 'json/documents';
export const DOCUMENTS_METADATA = 'documents';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Step = string | number;
/** Where a document goes back: a path into the value (empty: the value itself) and its address. */
interface Reference { path: Step[]; digest: DocumentDigest }
/** What a document holds: the value, with its own long parts by reference in turn. */
interface Document { value: Json; references: Reference[] }

export interface DocumentThresholds {
  /** Payloads at most this many bytes pass untouched (most commands and answers). */
  payloadBytes: number;
  /** Within a larger payload, any part (text, list, object) longer than this becomes a document. */
  documentBytes: number;
}

const text = (bytes: Uint8Array | null | undefined): string | undefined => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);
const size = (value: Json): number => Buffer.byteLength(JSON.stringify(value));

/** A bounded memory of documents already stored and read: replays and queries do not go to disk again. */
class RecentDocuments {
  private readonly entries = new Map<DocumentDigest, string>();
  private bytes = 0;

  constructor(private readonly limitBytes: number) {}

  get(digest: DocumentDigest): string | undefined {
    const found = this.entries.get(digest);
    if (found !== undefined) {
      this.entries.delete(digest);
      this.entries.set(digest, found);
    }
    return found;
  }

  set(digest: DocumentDigest, document: string): void {
    if (this.entries.has(digest) || document.length > this.limitBytes) return;
    this.entries.set(digest, document);
    this.bytes += document.length;
    for (const [oldest, held] of this.entries) {
      if (this.bytes <= this.limitBytes) break;
      this.entries.delete(oldest);
      this.bytes -= held.length;
    }
  }
}

/**
 * Documents by reference: a JSON payload larger than `payloadBytes` leaves every long part (a
 * report's text, an application, a member list) in the content-addressed document store and
 * carries its digest instead, so what Temporal stores — each command, each year's carried state —
 * stays small however long the project's documents grow, and a text carried for ten years is
 * stored once. Which parts were taken out is written by this codec in the payload's metadata,
 * never read from the data: a value that merely looks like a reference stays a value.
 * Runs before encryption (the references are sealed with the rest); decoding puts every part back.
 */
export class DocumentCodec implements PayloadCodec {
  private readonly recent = new RecentDocuments(64 * 1024 * 1024);

  constructor(private readonly store: DocumentStore, private readonly thresholds: DocumentThresholds) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((payload) => this.encodeOne(payload)));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((payload) => this.decodeOne(payload)));
  }

  private async encodeOne(payload: Payload): Promise<Payload> {
    if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== 'json/plain' || (payload.data?.length ?? 0) <= this.thresholds.payloadBytes) return payload;
    const value = JSON.parse(Buffer.from(payload.data!).toString('utf8')) as Json;
    const documents = new Map<DocumentDigest, string>();
    const { value: kept, references } = this.takeOut(value, documents, true);
    if (references.length === 0) return payload;
    await Promise.all([...documents].map(([digest, document]) => this.put(digest, document)));
    return {
      metadata: { ...payload.metadata, [METADATA_ENCODING_KEY]: Buffer.from(DOCUMENTS_ENCODING), [DOCUMENTS_METADATA]: Buffer.from(JSON.stringify(references)) },
      data: Buffer.from(JSON.stringify(kept)),
    };
  }

  /** Bottom-up: long parts of a part go first; a part still long after that becomes a document of its own. */
  private takeOut(value: Json, documents: Map<DocumentDigest, string>, root = false): Document {
    if (value === null || typeof value !== 'object') return this.maybeDocument({ value, references: [] }, documents, root);
    const references: Reference[] = [];
    const entries: [Step, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    const kept: Json = Array.isArray(value) ? [] : {};
    for (const [step, child] of entries) {
      const part = this.takeOut(child, documents);
      place(kept, step, part.value);
      for (const reference of part.references) references.push({ path: [step, ...reference.path], digest: reference.digest });
    }
    return this.maybeDocument({ value: kept, references }, documents, root);
  }

  private maybeDocument(part: Document, documents: Map<DocumentDigest, string>, root: boolean): Document {
    if (root || size(part.value) + size(part.references as unknown as Json) <= this.thresholds.documentBytes) return part;
    const document = JSON.stringify(part);
    const digest = digestOfText(document);
    documents.set(digest, document);
    return { value: null, references: [{ path: [], digest }] };
  }

  private async put(digest: DocumentDigest, document: string): Promise<void> {
    if (this.recent.get(digest) !== undefined) return;
    const stored = await this.store.put(Buffer.from(document));
    if (stored !== digest) throw new Error(`the document store answered ${stored} for ${digest}`);
    this.recent.set(digest, document);
  }

  private async decodeOne(payload: Payload): Promise<Payload> {
    if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== DOCUMENTS_ENCODING) return payload;
    const references = JSON.parse(text(payload.metadata?.[DOCUMENTS_METADATA]) ?? '[]') as Reference[];
    const value = await this.putBack(JSON.parse(text(payload.data) ?? 'null') as Json, references, 0);
    const { [DOCUMENTS_METADATA]: _references, ...metadata } = payload.metadata ?? {};
    return { metadata: { ...metadata, [METADATA_ENCODING_KEY]: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) };
  }

  private async putBack(value: Json, references: Reference[], depth: number): Promise<Json> {
    if (depth > 64) throw new DocumentMissingError('documents nested more than 64 deep: a reference loop or a damaged document');
    const parts = await Promise.all(references.map(async (reference) => {
      const document = JSON.parse(await this.read(reference.digest)) as Document;
      return { path: reference.path, value: await this.putBack(document.value, document.references, depth + 1) };
    }));
    let result = value;
    for (const part of parts) {
      if (part.path.length === 0) {
        result = part.value;
        continue;
      }
      let holder = result as Record<Step, Json>;
      for (const step of part.path.slice(0, -1)) holder = holder[step] as Record<Step, Json>;
      place(holder, part.path.at(-1)!, part.value);
    }
    return result;
  }

  private async read(digest: DocumentDigest): Promise<string> {
    const held = this.recent.get(digest);
    if (held !== undefined) return held;
    const document = (await this.store.get(digest)).toString('utf8');
    this.recent.set(digest, document);
    return document;
  }
}

/** The store addresses bytes: the same digest as DocumentStore.put computes. */
const digestOfText = (document: string): DocumentDigest => digestOf(Buffer.from(document));

/** Sets a member as JSON.parse would (an own property, even for `__proto__`), never a prototype. */
function place(holder: Json, step: Step, value: Json): void {
  Object.defineProperty(holder, step, { value, enumerable: true, writable: true, configurable: true });
}
