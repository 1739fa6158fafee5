// What the API and the pages share of documents: who may send which kind (asked before a byte is
// read), the checks of the bytes, the store, the command that names them, and reading one back.
import type { Actor } from '../../domain/actor';
import { documentProblem, documentRule, formatOf, type DocumentKind, type DocumentRule } from '../../domain/documents';
import { AllianceError } from '../../domain/errors';
import { projectWorkflowId } from '../../domain/ids';
import { attachRefusal, documentLaw, DOCUMENTS_SINCE_LAW, kindsOpenTo } from '../../machines/documents';
import { lawOf } from '../../machines/law';
import type { AttachedDocument } from '../../machines/project-context';
import { documentFor, mayReadProject } from '../../machines/views';
import type { CommandResult } from '../../messages/project';
import { DocumentMissingError, type DocumentStore } from '../../activities/documents/document-store';
import { sendProjectCommand } from './send-command';
import type { Services } from './services';

export interface DocumentTarget {
  callId: string;
  applicationId: string;
  projectId: string;
}

const storeOf = (store: DocumentStore | undefined): DocumentStore => {
  if (!store) throw new AllianceError('NOT_FOUND', 'This API process has no document store configured (ALLIANCE_DOCUMENTS_DIR or DATABASE_URL).');
  return store;
};

const notYours = (actor: Actor, projectId: string): AllianceError =>
  new AllianceError('NOT_FOUND', `${projectId} does not exist, or ${actor.role} ${actor.id} is not its PI, its institution or one of its assigned reviewers.`);

/** The project and the call's rules for its documents, for one who may read the project; a stranger learns nothing. */
export async function documentTarget(services: Services, actor: Actor, callId: string, applicationId: string) {
  const projectId = projectWorkflowId(callId, applicationId);
  const view = await services.bounded('command', () => services.projects.view(projectId));
  if (!mayReadProject(actor, view.context)) throw notYours(actor, projectId);
  const ruleOf = (kind: DocumentKind): DocumentRule => {
    const by = documentLaw[kind].by;
    // Asked before a byte is read: the wrong role, or a step that takes no such document, never gets to send a file.
    if (actor.role !== by) throw new AllianceError('ROLE_NOT_ALLOWED', `A ${kind} is attached by the ${by}, not by the ${actor.role}.`);
    const rule = documentRule(view.context.policy, kind);
    const law = lawOf(view.context);
    if (law < DOCUMENTS_SINCE_LAW || !kindsOpenTo(actor.role, view.states).includes(kind))
      throw new AllianceError(
        'ILLEGAL_TRANSITION',
        `document.attach was refused: ${attachRefusal(view.context.policy, { kind, format: rule.formats[0]!, bytes: 1 }, actor.role, law)}`,
      );
    return rule;
  };
  return { target: { callId, applicationId, projectId } satisfies DocumentTarget, view, ruleOf };
}

/** The bytes checked (size, format by content), sealed in the project's part of the store, then named to the project's law. */
export async function attachDocument(
  services: Services,
  store: DocumentStore | undefined,
  actor: Actor,
  { target, kind, rule, bytes, name }: { target: DocumentTarget; kind: DocumentKind; rule: DocumentRule; bytes: Buffer; name: string },
  options: { updateId?: string | undefined; ifMatch?: number | undefined } = {},
): Promise<CommandResult> {
  const problem = documentProblem(kind, rule, bytes);
  if (problem) throw new AllianceError(problem.code, `The ${kind} was refused: ${problem.message}.`);
  // In the store first: a document the law then refuses stays sealed under the project's key, unnamed, and goes with the project.
  const digest = await storeOf(store).put(bytes, target.projectId);
  const payload = { kind, digest, bytes: bytes.length, format: formatOf(bytes)!, name };
  return sendProjectCommand(services, target.callId, target.applicationId, 'document.attach', actor, payload, options);
}

/** A document and its bytes, for one whose view of the project shows it; anyone else: 404, as if there were nothing. */
export async function readDocument(
  services: Services,
  store: DocumentStore | undefined,
  actor: Actor,
  callId: string,
  applicationId: string,
  digest: string,
): Promise<{ document: AttachedDocument; bytes: Buffer }> {
  const projectId = projectWorkflowId(callId, applicationId);
  const view = await services.bounded('command', () => services.projects.view(projectId));
  const document = documentFor(actor, view, digest);
  if (!document) throw new AllianceError('NOT_FOUND', `${projectId} has no document ${digest} that ${actor.role} ${actor.id} may read.`);
  const bytes = await storeOf(store)
    .get(document.digest as `sha256:${string}`, projectId)
    .catch((error: unknown) => {
      if (!(error instanceof DocumentMissingError)) throw error;
      // Recorded, yet not in this store (erased, or not the worker's store): said plainly, never a bare 500.
      throw new AllianceError('NOT_FOUND', `${projectId} records ${document.name} (${digest}), but the document store does not hold it: ${error.message}.`);
    });
  return { document, bytes };
}

/** `attachment; filename*=UTF-8''…`: a Chinese file name arrives as it was, and no header can be forged through it. */
export const contentDisposition = (name: string): string =>
  `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;
