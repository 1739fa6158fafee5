// Cursor pagination for every list of the API: a page of items in the list's own order, and the
// Link header (RFC 8288) to the next page. The cursor is the last item's key, so a page goes on
// after it even when items were added or removed before it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AllianceError } from '../../domain/errors';

export const DEFAULT_PAGE = 100;

export interface PageRequest {
  limit?: number | undefined;
  cursor?: string | undefined;
}

export interface ListOrder<T> {
  /** A key unique in the list; numbers padded so that they sort as text. */
  key(item: T): string;
  /** newest first (descending keys) or oldest first. */
  descending?: boolean;
}

/** A number as a key that sorts as text: ledger and transition seqs. */
export const paddedKey = (n: number): string => String(n).padStart(15, '0');

function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!key || Buffer.from(key, 'utf8').toString('base64url') !== cursor) {
    throw new AllianceError('VALIDATION', 'cursor: not a cursor this service gave; take it from the Link header (rel="next"), or start again without one.');
  }
  return key;
}

/** One page of `items` (in the order `order` sets), and the cursor to the next one, if any. */
export function pageOf<T>(items: readonly T[], order: ListOrder<T>, request: PageRequest): { items: T[]; next: string | null } {
  const direction = order.descending ? -1 : 1;
  const keyed = items.map((item) => ({ item, key: order.key(item) }));
  keyed.sort((a, b) => direction * (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const after = request.cursor === undefined ? undefined : decodeCursor(request.cursor);
  const rest = after === undefined ? keyed : keyed.filter(({ key }) => direction * (key < after ? -1 : key > after ? 1 : 0) > 0);
  const limit = request.limit ?? DEFAULT_PAGE;
  const page = rest.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(({ item }) => item), next: rest.length > limit && last ? Buffer.from(last.key, 'utf8').toString('base64url') : null };
}

/** Sends a page, with the Link to the next one: the same address, the same filters, the next cursor. */
export function sendPage<T>(request: FastifyRequest, reply: FastifyReply, items: readonly T[], order: ListOrder<NoInfer<T>>): T[] {
  const page = pageOf(items, order, request.query as PageRequest);
  if (page.next) {
    const url = new URL(request.url, 'http://service.invalid');
    url.searchParams.set('cursor', page.next);
    void reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
  }
  return page.items;
}

/** Project records and other lists keyed by their workflow. */
export const byWorkflowId: ListOrder<{ workflowId: string }> = { key: (item) => item.workflowId };
/** Notices, oldest first. */
export const byStart: ListOrder<{ startedAt: string; workflowId: string }> = { key: (item) => `${item.startedAt}\t${item.workflowId}` };
