import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec, type SerializationContext } from '@temporalio/common';
import { digestOf, DocumentMissingError, type DocumentDigest, type DocumentStore } from '../activities/documents/document-store';
import { projectOfWorkflowId } from '../domain/ids';

export const DOCUMENTS_ENCODING = 'json/documents';
export const DOCUMENTS_METADATA = 'documents';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Step = string | number;
/** Where a document goes back: a path into the value (empty: the value itself), its address, and the project it is sealed for. */
interface Reference {
  path: Step[];
  digest: DocumentDigest;
  scope?: string;
}
/** What a document holds: the value, with its own long parts by reference in turn. */
interface Document {
  value: Json;
  references: Reference[];
}

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
  private readonly entries = new Map<string, string>();
  private bytes = 0;

  constructor(private readonly limitBytes: number) {}

  get(digest: string): string | undefined {
    const found = this.entries.get(digest);
    if (found !== undefined) {
      this.entries.delete(digest);
      this.entries.set(digest, found);
    }
    return found;
  }

  set(digest: string, document: string): void {
    if (this.entries.has(digest) || Buffer.byteLength(document) > this.limitBytes) return;
    this.entries.set(digest, document);
    this.bytes += Buffer.byteLength(document);
    for (const [oldest, held] of this.entries) {
      if (this.bytes <= this.limitBytes) break;
      this.entries.delete(oldest);
      this.bytes -= Buffer.byteLength(held);
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
 * A project's documents (its own workflow's payloads and its notices', as the SDK's serialization
 * context names them) are stored in the project's scope, under its own key, so retention erases
 * them with it; the reference names the scope, so any reader finds them.
 */
export class DocumentCodec implements PayloadCodec {
  private readonly recent = new RecentDocuments(64 * 1024 * 1024);

  constructor(
    private readonly store: DocumentStore,
    private readonly thresholds: DocumentThresholds,
  ) {}

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    const scope = context?.workflowId ? projectOfWorkflowId(context.workflowId) : undefined;
    return Promise.all(payloads.map((payload) => this.encodeOne(payload, scope)));
  }

  async decode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    const owner = context?.workflowId ? projectOfWorkflowId(context.workflowId) : undefined;
    return Promise.all(payloads.map((payload) => this.decodeOne(payload, owner)));
  }

  private async encodeOne(payload: Payload, scope: string | undefined): Promise<Payload> {
    if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== 'json/plain' || (payload.data?.length ?? 0) <= this.thresholds.payloadBytes) return payload;
    const value = JSON.parse(Buffer.from(payload.data!).toString('utf8')) as Json;
    const documents = new Map<DocumentDigest, string>();
    const { value: kept, references } = this.takeOut(value, documents, scope);
    if (references.length === 0) return payload;
    await Promise.all([...documents].map(([digest, document]) => this.put(digest, document, scope)));
    return {
      metadata: {
        ...payload.metadata,
        [METADATA_ENCODING_KEY]: Buffer.from(DOCUMENTS_ENCODING),
        [DOCUMENTS_METADATA]: Buffer.from(JSON.stringify(references)),
      },
      data: Buffer.from(JSON.stringify(kept)),
    };
  }

  /** Bottom-up: long parts of a part go first; a part still long after that becomes a document of its own. */
  private takeOut(value: Json, documents: Map<DocumentDigest, string>, scope: string | undefined, depth = 0): Document {
    // Deeper than any schema of ours nests: left as it is rather than walked (no stack to exhaust).
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return this.maybeDocument({ value, references: [] }, documents, scope, depth);
    const references: Reference[] = [];
    const entries: [Step, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    const kept: Json = Array.isArray(value) ? [] : {};
    for (const [step, child] of entries) {
      const part = this.takeOut(child, documents, scope, depth + 1);
      place(kept, step, part.value);
      for (const reference of part.references) references.push({ ...reference, path: [step, ...reference.path] });
    }
    return this.maybeDocument({ value: kept, references }, documents, scope, depth);
  }

  /** A part over the document size (the payload itself: over the payload size) is stored and referenced. */
  private maybeDocument(part: Document, documents: Map<DocumentDigest, string>, scope: string | undefined, depth: number): Document {
    const limit = depth === 0 ? this.thresholds.payloadBytes : this.thresholds.documentBytes;
    if (size(part.value) + size(part.references as unknown as Json) <= limit) return part;
    const document = JSON.stringify(part);
    const digest = digestOfText(document);
    documents.set(digest, document);
    return { value: null, references: [{ path: [], digest, ...(scope ? { scope } : {}) }] };
  }

  private async put(digest: DocumentDigest, document: string, scope: string | undefined): Promise<void> {
    if (this.recent.get(recentKey(digest, scope)) !== undefined) return;
    const stored = await this.store.put(Buffer.from(document), scope);
    if (stored !== digest) throw new Error(`the document store answered ${stored} for ${digest}`);
    this.recent.set(recentKey(digest, scope), document);
  }

  private async decodeOne(payload: Payload, owner: string | undefined): Promise<Payload> {
    if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== DOCUMENTS_ENCODING) return payload;
    const budget: Budget = { bytes: 0, references: 0, owner };
    const value = await this.putBack(
      JSON.parse(text(payload.data) ?? 'null') as Json,
      referencesIn(JSON.parse(text(payload.metadata?.[DOCUMENTS_METADATA]) ?? '[]')),
      0,
      budget,
    );
    const { [DOCUMENTS_METADATA]: _references, ...metadata } = payload.metadata ?? {};
    return { metadata: { ...metadata, [METADATA_ENCODING_KEY]: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) };
  }

  /**
   * Puts each document back where its reference says, checking the reference as it goes: every
   * step an own member of the value, the place a null the encoder left, the whole within bounds. A
   * payload that claims documents without having come from this codec (any caller of the codec
   * server may send one) can do no more than fail.
   */
  private async putBack(value: Json, references: Reference[], depth: number, budget: Budget): Promise<Json> {
    if (depth > MAX_DEPTH) throw new DocumentMissingError(`documents nested more than ${MAX_DEPTH} deep: a reference loop or a damaged document`);
    budget.references += references.length;
    if (budget.references > MAX_REFERENCES)
      throw new DocumentMissingError(`more than ${MAX_REFERENCES} document references in one payload: not a payload this codec wrote`);
    const parts = await Promise.all(
      references.map(async (reference) => {
        const text = await this.read(reference.digest, reference.scope, budget.owner);
        budget.bytes += Buffer.byteLength(text);
        if (budget.bytes > MAX_DECODED_BYTES)
          throw new DocumentMissingError(`a payload's documents exceed ${MAX_DECODED_BYTES} bytes: not a payload this codec wrote`);
        const document = JSON.parse(text) as Document;
        return { path: reference.path, value: await this.putBack(document.value, referencesIn(document.references), depth + 1, budget) };
      }),
    );
    let result = value;
    for (const part of parts) {
      const broken = (why: string) => new DocumentMissingError(`document reference at ${JSON.stringify(part.path)} ${why}: a damaged payload or document`);
      if (part.path.length === 0) {
        if (result !== null) throw broken('replaces a value that is not the placeholder');
        result = part.value;
        continue;
      }
      let holder: Json = result;
      for (const [i, step] of part.path.entries()) {
        if (holder === null || typeof holder !== 'object' || !Object.hasOwn(holder, step)) throw broken('leads outside the value');
        if (i === part.path.length - 1) break;
        holder = (holder as Record<Step, Json>)[step]!;
      }
      const last = part.path.at(-1)!;
      if ((holder as Record<Step, Json>)[last] !== null) throw broken('replaces a value that is not the placeholder');
      place(holder, last, part.value);
    }
    return result;
  }

  /**
   * A reference written before documents had scopes names none: it is read from the shared store,
   * or else from the payload's own project (the same bytes under the same digest, stored there by
   * the project's later writes, e.g. a replay's), which the digest check makes safe.
   */
  private async read(digest: DocumentDigest, scope: string | undefined, owner: string | undefined): Promise<string> {
    const held = this.recent.get(recentKey(digest, scope)) ?? (scope === undefined && owner ? this.recent.get(recentKey(digest, owner)) : undefined);
    if (held !== undefined) return held;
    const stored = await this.store.get(digest, scope).catch((error: unknown) => {
      if (scope !== undefined || owner === undefined || !(error instanceof DocumentMissingError)) throw error;
      return this.store.get(digest, owner).catch(() => Promise.reject(error as Error));
    });
    const document = stored.toString('utf8');
    this.recent.set(recentKey(digest, scope), document);
    return document;
  }
}

/** What one payload's decoding may still read, and the project it belongs to (for references without a scope). */
type Budget = { bytes: number; references: number; owner: string | undefined };

/** Deeper than this the encoder leaves a part inline and the decoder refuses: far beyond any schema of the service. */
const MAX_DEPTH = 64;
/** At most this many references and this much JSON put back into one payload (the largest real one is a few MB). */
const MAX_REFERENCES = 100_000;
const MAX_DECODED_BYTES = 64 * 1024 * 1024;

/** References as written by this codec, or an error: a path of member names and indices, and a digest. */
function referencesIn(value: unknown): Reference[] {
  const ok =
    Array.isArray(value) &&
    value.every(
      (r) =>
        r !== null &&
        typeof r === 'object' &&
        Array.isArray((r as Reference).path) &&
        (r as Reference).path.every((step) => typeof step === 'string' || (Number.isInteger(step) && step >= 0)) &&
        typeof (r as Reference).digest === 'string' &&
        ((r as Reference).scope === undefined || typeof (r as Reference).scope === 'string'),
    );
  if (!ok) throw new DocumentMissingError("the payload's document references are not in the form this codec writes");
  return value as Reference[];
}

/** The same bytes in two projects are two documents, each under its project's key. */
const recentKey = (digest: DocumentDigest, scope: string | undefined): string => (scope ? `${scope} ${digest}` : digest);

/** The store addresses bytes: the same digest as DocumentStore.put computes. */
const digestOfText = (document: string): DocumentDigest => digestOf(Buffer.from(document));

/** Sets a member as JSON.parse would (an own property, even for `__proto__`), never a prototype. */
function place(holder: Json, step: Step, value: Json): void {
  Object.defineProperty(holder, step, { value, enumerable: true, writable: true, configurable: true });
}
