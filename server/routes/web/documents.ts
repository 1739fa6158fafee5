// A project's documents on its page: the upload form's answer and the downloads. The same checks
// and the same law as the API's (server/services/documents.ts).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ProjectParams } from '../../../domain/api';
import { DocumentKind, DocumentName } from '../../../domain/documents';
import { AllianceError } from '../../../domain/errors';
import type { DocumentStore } from '../../../activities/documents/document-store';
import { httpStatus } from '../../problems';
import { readUpload } from '../../plugins/uploads';
import { attachDocument, documentTarget, readDocument } from '../../services/documents';
import { sendDocument } from '../documents';
import { hidden, type PageKit } from './kit';
import type { ProjectPageData } from '../../web/pages/project';

const DocumentPath = ProjectParams.extend({ digest: z.string().regex(/^sha256:[0-9a-f]{64}$/) });

export function documentPages(
  app: FastifyInstance,
  kit: PageKit,
  store: DocumentStore | undefined,
  renderProject: (context: ReturnType<PageKit['contextOf']>, callId: string, applicationId: string, extra: Partial<ProjectPageData>) => Promise<string>,
): void {
  const { services, contextOf, send, params } = kit;
  void app.register((scope, _options, registered) => {
    // The file is read by the handler, bounded by its kind's limit: no parser holds it first.
    scope.addContentTypeParser('multipart/form-data', (_request, _payload, next) => next(null));
    scope.post('/web/projects/:callId/:applicationId/documents', hidden, async (request, reply) => {
      // Not logged in: to the log-in, before a byte is read.
      if (!request.browserSession) contextOf(request);
      const actor = request.browserSession!.actor;
      const { callId, applicationId } = params(ProjectParams, request.params);
      const { target, ruleOf } = await documentTarget(services, actor, callId, applicationId);
      let kind: DocumentKind | undefined;
      const upload = await readUpload(request.raw, (fields) => {
        const asked = DocumentKind.safeParse(fields.kind);
        if (!asked.success) throw new AllianceError('VALIDATION', 'Choose the kind of document.');
        kind = asked.data;
        return ruleOf(kind).maxBytes;
      });
      // The CSRF token and the origin, as for every form, before anything is kept or answered.
      request.body = { _csrf: upload.fields._csrf ?? '' };
      const context = contextOf(request);
      try {
        if (upload.refusal) throw upload.refusal;
        const file = upload.file;
        if (!file || file.bytes.length === 0 || !kind) throw new AllianceError('VALIDATION', 'Choose a file to upload.');
        const name = DocumentName.safeParse(file.name);
        if (!name.success) throw new AllianceError('VALIDATION', name.error.issues.map((i) => i.message).join('; '));
        await attachDocument(services, store, actor, { target, kind, rule: ruleOf(kind), bytes: file.bytes, name: name.data });
        return reply.redirect(`/web/projects/${encodeURIComponent(callId)}/${encodeURIComponent(applicationId)}?done=document.attach#documents-h`, 303);
      } catch (error) {
        if (!(error instanceof AllianceError) || httpStatus[error.code] >= 500 || error.code === 'NOT_FOUND') throw error;
        return send(reply, await renderProject(context, callId, applicationId, { documentFailure: error.message }), httpStatus[error.code]);
      }
    });
    registered();
  });

  app.get('/web/projects/:callId/:applicationId/documents/:digest', hidden, async (request, reply) => {
    const context = contextOf(request);
    const { callId, applicationId, digest } = params(DocumentPath, request.params);
    const { document, bytes } = await readDocument(services, store, context.actor, callId, applicationId, digest);
    return sendDocument(reply, bytes, document);
  });
}
