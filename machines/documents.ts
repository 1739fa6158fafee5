import type { Role } from '../domain/actor';
import { documentRule, type DocumentKind } from '../domain/documents';
import type { ProgrammePolicy } from '../domain/policy';
import type { AttachedDocument, ProjectContext } from './project-context';

/**
 * Who attaches each kind of document, and while the project is where (law v3; the chart's
 * `document.attach` transitions say the same, state by state): the PI the proposal while drafting
 * and each report while it is awaited; the research office its letter until it endorses and the
 * signed contract while the contract is out.
 */
export const documentLaw: Record<DocumentKind, { by: Role; while: string; in: readonly string[] }> = {
  proposal: { by: 'pi', while: 'the application is a draft', in: ['draft'] },
  institutionLetter: { by: 'institution', while: 'the application awaits its endorsement', in: ['draft', 'submitted'] },
  contract: { by: 'institution', while: 'the contract awaits its signatures', in: ['contracting'] },
  progressReport: { by: 'pi', while: "the year's progress report is awaited", in: ['execution.progressReport.awaiting', 'execution.progressReport.overdue'] },
  closingReport: { by: 'pi', while: 'the closing report is awaited', in: ['closing.awaitingReport', 'closing.overdue'] },
};

/**
 * The kinds a role may attach where the project stands (its active state paths), for a page's
 * upload form: the same steps as the chart's transitions (test/machines/law-v3.test.ts holds them equal).
 */
export const kindsOpenTo = (role: Role, states: readonly string[]): DocumentKind[] =>
  (Object.keys(documentLaw) as DocumentKind[]).filter(
    (kind) => documentLaw[kind].by === role && states.some((state) => documentLaw[kind].in.some((step) => state === step || state.startsWith(`${step}.`))),
  );

/** Whether the document is one this actor may attach under the call's rules (kind, role, format, size): the state is the chart's to say. */
export const attachable = (policy: ProgrammePolicy, document: { kind: DocumentKind; format: string; bytes: number }, role: Role): boolean => {
  const rule = documentRule(policy, document.kind);
  return documentLaw[document.kind].by === role && rule.formats.includes(document.format as never) && document.bytes <= rule.maxBytes;
};

/** The first version of the project's law that keeps documents. */
export const DOCUMENTS_SINCE_LAW = 3;

/** Why a `document.attach` the chart refused was refused, in words a person can act on. */
export function attachRefusal(
  policy: ProgrammePolicy,
  document: { kind: DocumentKind; format: string; bytes: number },
  role: Role,
  lawVersion: number = DOCUMENTS_SINCE_LAW,
): string {
  if (lawVersion < DOCUMENTS_SINCE_LAW)
    return `This project runs under law v${lawVersion}, which keeps no documents; it moves to the current law at its next project year.`;
  const law = documentLaw[document.kind];
  const rule = documentRule(policy, document.kind);
  if (law.by !== role) return `A ${document.kind} is attached by the ${law.by}, not by the ${role}.`;
  if (!rule.formats.includes(document.format as never)) return `A ${document.kind} is taken as ${rule.formats.join(', ')}, not ${document.format}.`;
  if (document.bytes > rule.maxBytes) return `A ${document.kind} may be at most ${rule.maxBytes} bytes; this one is ${document.bytes}.`;
  return `A ${document.kind} is attached while ${law.while}.`;
}

/** Who may read a document of this kind: the PI and the institution every one of their project; a reviewer the proposal they review. */
export const documentKindsFor = (role: Role): readonly DocumentKind[] | 'all' =>
  role === 'office' || role === 'auditor' || role === 'pi' || role === 'institution' ? 'all' : role === 'reviewer' ? ['proposal'] : [];

/** The documents of a project one role may read (the project itself being theirs to read is the view's to say). */
export function readableDocuments(role: Role, context: Pick<ProjectContext, 'documents'>): AttachedDocument[] {
  const kinds = documentKindsFor(role);
  return (context.documents ?? []).filter((d) => kinds === 'all' || kinds.includes(d.kind));
}
