// A project's ETag is the number of transitions it has recorded: any change of its state is one
// more. A command sent with If-Match is refused (412) unless the project still stands there.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AllianceError } from '../../domain/errors';

/** The ETag header of a project whose log holds `seq` transitions. */
export function setEtag(reply: FastifyReply, seq: number | undefined): void {
  if (seq !== undefined) void reply.header('etag', `"${seq}"`);
}

/**
 * The version an If-Match header names: none without one (or with `*`, any state); a weak tag
 * never matches (RFC 9110 compares strongly); anything else is a malformed header.
 */
export function ifMatchOf(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const tag = header.trim();
  if (tag.startsWith('W/')) throw new AllianceError('STALE', 'If-Match: a weak ETag never matches; send the ETag of the project as read, e.g. "12".');
  const seq = /^"(\d{1,9})"$/.exec(tag)?.[1];
  if (seq === undefined) throw new AllianceError('VALIDATION', 'If-Match: expected one ETag of the project as read (GET it), e.g. "12", or *.');
  return Number(seq);
}
