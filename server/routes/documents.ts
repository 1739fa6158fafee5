import type { FastifyPluginCallback, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { IncomingMessage } from 'node:http';
import { CommandResult, DocumentKindParams, DocumentParams, DocumentUploadQuery } from '../../domain/api';
import { mediaTypes } from '../../domain/documents';
import { AllianceError } from '../../domain/errors';
import type { Services } from '../services/services';
import { attachDocument, contentDisposition, documentTarget, readDocument } from '../services/documents';
import { idempotentUpdateId } from '../services/idempotency';
import { ifMatchOf, setEtag } from '../services/etag';
import type { DocumentStore } from '../../activities/documents/document-store';

const tags = ['documents'];

/**
 * The body, read as it arrives and never past the limit: a larger one is refused at the byte that
 * passes it (or at once by its Content-Length), and the rest is read and dropped, not kept.
 */
export function readBounded(stream: IncomingMessage, limit: number, what: string): Promise<Buffer> {
  const tooLarge = () => new AllianceError('TOO_LARGE', `${what} was refused: it may be at most ${limit.toLocaleString('en-US')} bytes.`);
  const declared = Number(stream.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    stream.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received <= limit) return void chunks.push(chunk);
      stream.off('data', onData);
      chunks.length = 0;
      stream.resume();
      reject(tooLarge());
    };
    stream.on('data', onData);
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

const nameAsFormat = (name: string, format: string): string => (name.toLowerCase().endsWith(`.${format}`) ? name : `${name.replace(/\.[^.]*$/, '')}.${format}`);

/** A document's bytes for a person whose view of the project shows it. */
export function sendDocument(reply: FastifyReply, bytes: Buffer, document: { format: keyof typeof mediaTypes; name: string; digest: string }) {
  return (
    reply
      .type(mediaTypes[document.format])
      // The name ends as its format does: a PDF is never offered as proposal.docm.
      .header('content-disposition', contentDisposition(nameAsFormat(document.name, document.format)))
      .header('cache-control', 'private, no-store')
      .header('etag', `"${document.digest}"`)
      .send(bytes)
  );
}

/** `/api/projects/…/documents`: a document attached by upload (the law decides, the ledger keeps its SHA-256) and read back by those whose view shows it. */
export const documentRoutes =
  (services: Services, store: DocumentStore | undefined): FastifyPluginCallback =>
  (plain, _options, done) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    // The document's bytes are read by the handler, bounded by its kind's limit: no parser holds them first.
    // Whatever its Content-Type (JSON, text…), no built-in parser reads the body first.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, _payload, next) => next(null));

    app.put(
      '/projects/:callId/:applicationId/documents/:kind',
      {
        config: { access: 'signedIn' },
        schema: {
          operationId: 'attachDocument',
          summary: 'Attach a document: the proposal, the institution letter, the signed contract, a progress or closing report',
          description:
            "The body is the file itself (PDF, DOCX, XLSX or ODT, told by its bytes), at most the size its kind may be under the call. It is sealed under the project's own key in the document store, and `document.attach` with its SHA-256 goes to the project, whose law decides who attaches what when; the ledger keeps the command with the digest. Idempotency-Key and If-Match as for every command.",
          tags,
          params: DocumentKindParams,
          querystring: DocumentUploadQuery,
          response: { 200: CommandResult },
        },
      },
      async (request, reply) => {
        const { callId, applicationId, kind } = request.params;
        const { target, ruleOf } = await documentTarget(services, request.actor, callId, applicationId);
        const rule = ruleOf(kind);
        const bytes = await readBounded(request.raw, rule.maxBytes, `The ${kind}`);
        const result = await attachDocument(
          services,
          store,
          request.actor,
          { target, kind, rule, bytes, name: request.query.name },
          { updateId: idempotentUpdateId(request), ifMatch: ifMatchOf(request) },
        );
        setEtag(reply, result.seq);
        return result;
      },
    );

    app.get(
      '/projects/:callId/:applicationId/documents/:digest',
      {
        config: { access: 'signedIn' },
        schema: {
          operationId: 'getDocument',
          summary: 'A document of the project, as attached, if your view of the project shows it',
          description:
            "The bytes as attached, with their media type and file name. The PI and the institution read their project's documents, a reviewer the proposal of an application assigned to them, the office and auditors all; anyone else gets 404.",
          tags,
          params: DocumentParams,
        },
      },
      async (request, reply) => {
        const { callId, applicationId, digest } = request.params;
        const { document, bytes } = await readDocument(services, store, request.actor, callId, applicationId, digest);
        return sendDocument(reply, bytes, document);
      },
    );
    done();
  };
