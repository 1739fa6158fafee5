import { initialTransition } from 'xstate';
import { alliance105 } from '../../domain/calls';
import { documentProblem, formatOf, defaultDocumentRules } from '../../domain/documents';
import type { ProgrammePolicy } from '../../domain/policy';
import { apply, judge, type ProjectSnapshot } from '../../machines/judge';
import { lawOf, migrateSnapshot } from '../../machines/law';
import { projectMachines, type LawVersion } from '../../machines/project-machine';
import { documentFor, projectViewFor, type ProjectView } from '../../machines/views';
import { kindsOpenTo } from '../../machines/documents';
import { statePaths } from '../../machines/state-names';
import { anyTimePolicy, projectInput } from '../fixtures/project-input';
import { actors } from '../fixtures/project-events';
import { drive, toExecution } from '../helpers/drive';
import { person } from '../fixtures/people';
import { docxBytes, odtBytes, pdfBytes, xlsxBytes, zipOf } from '../fixtures/documents';

/** Law v3: a project keeps its documents, each attached by its role while its step is open. */
const { calendar } = alliance105;
const start = (law: LawVersion, policy: ProgrammePolicy = anyTimePolicy): ProjectSnapshot =>
  initialTransition(projectMachines[law], projectInput({ policy }))[0];
const digest = `sha256:${'ab'.repeat(32)}`;
const doc = (kind: string, extra: Record<string, unknown> = {}) => ({ kind, digest, bytes: 120_000, format: 'pdf', name: `${kind}.pdf`, ...extra });

function attach(s: ProjectSnapshot, payload: Record<string, unknown>, actor = actors.pi) {
  return judge(s, { type: 'document.attach', actor, payload }, '2016-09-01T00:00:00.000Z', { fromOutside: true });
}
/** Approved and the contract issued, not yet signed. */
const toContract = toExecution.slice(0, toExecution.indexOf('contract.sign'));
const view = (s: ProjectSnapshot): ProjectView => ({
  workflowId: 'p',
  lifecycle: 'draft',
  states: ['draft'],
  done: false,
  overdue: false,
  projectYear: 0,
  deadlines: [],
  context: s.context,
});

describe('documents under law v3', () => {
  it('v2 takes no document; v3 records the proposal with who, when and the project year', () => {
    expect(attach(start(2), doc('proposal'))).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
    const verdict = attach(start(3), doc('proposal'));
    if (!verdict.ok) throw new Error(verdict.message);
    expect(apply(start(3), verdict.event).context.documents).toEqual([{ ...doc('proposal'), by: actors.pi, at: '2016-09-01T00:00:00.000Z', year: 0 }]);
  });

  it('refuses the wrong role, a kind out of its step, a format or size the call does not take, each saying why', () => {
    expect(attach(start(3), doc('proposal'), actors.reviewer)).toMatchObject({ code: 'ROLE_NOT_ALLOWED' });
    expect(attach(start(3), doc('proposal'), actors.institution)).toMatchObject({ message: expect.stringContaining('attached by the pi') });
    expect(attach(start(3), doc('institutionLetter', { format: 'docx' }), actors.institution)).toMatchObject({
      message: expect.stringContaining('taken as pdf, not docx'),
    });
    const small: ProgrammePolicy = { ...anyTimePolicy, documents: { proposal: { formats: ['pdf'], maxBytes: 100_000 } } };
    expect(attach(start(3, small), doc('proposal'))).toMatchObject({ message: expect.stringContaining('at most 100000 bytes') });
    const submitted = drive(start(3), ['application.submit']);
    expect(attach(submitted, doc('proposal'))).toMatchObject({ message: expect.stringContaining('while the application is a draft') });
    expect(attach(submitted, doc('institutionLetter'), actors.institution).ok).toBe(true);
    // Another institution's letter is not this project's.
    expect(attach(submitted, doc('institutionLetter'), person('institution', 'NCKU'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(attach(start(3), { ...doc('proposal'), digest: 'md5:1' })).toMatchObject({ code: 'INVALID_PAYLOAD' });
  });

  it('takes the signed contract from the institution while the contract is out', () => {
    const contracting = drive(start(3), toContract);
    expect(attach(contracting, doc('contract'), actors.institution).ok).toBe(true);
    expect(attach(contracting, doc('progressReport')).ok).toBe(false);
  });

  it("tells a page's upload form the kinds the chart takes where the project stands, by role", () => {
    const kinds = ['proposal', 'institutionLetter', 'contract', 'progressReport', 'closingReport'] as const;
    const steps = toExecution;
    let s = start(3);
    for (let i = 0; i <= steps.length; i++) {
      for (const actor of [actors.pi, actors.institution]) {
        const open = kinds.filter((kind) => attach(s, doc(kind), actor).ok);
        expect({ at: i, role: actor.role, open }).toEqual({ at: i, role: actor.role, open: kindsOpenTo(actor.role, statePaths(s.value)) });
      }
      if (i < steps.length) s = drive(s, [steps[i]!]);
    }
  });

  it('moves a v2 project to v3 with no documents at the year boundary', () => {
    const migrated = migrateSnapshot(start(2), calendar);
    expect(lawOf(migrated.context)).toBe(3);
    expect(migrated.context.documents).toEqual([]);
  });

  it('shows a reviewer only the proposal of an application they review, the PI every one of theirs, a stranger nothing', () => {
    let s = start(3);
    for (const [payload, actor] of [
      [doc('proposal'), actors.pi],
      [doc('institutionLetter', { digest: `sha256:${'cd'.repeat(32)}` }), actors.institution],
    ] as const) {
      const verdict = attach(s, payload, actor);
      if (!verdict.ok) throw new Error(verdict.message);
      s = apply(s, verdict.event);
    }
    s = drive(s, ['application.submit', 'endorsement.record', 'review.start', 'reviewer.assign']);
    expect(projectViewFor(actors.reviewer, view(s))?.context.documents?.map((d) => d.kind)).toEqual(['proposal']);
    expect(projectViewFor(actors.pi, view(s))?.context.documents?.map((d) => d.kind)).toEqual(['proposal', 'institutionLetter']);
    expect(documentFor(actors.reviewer, view(s), `sha256:${'cd'.repeat(32)}`)).toBeNull();
    expect(documentFor(actors.reviewer, view(s), digest)).toMatchObject({ kind: 'proposal' });
    expect(documentFor(person('pi', 'pi-other'), view(s), digest)).toBeNull();
  });
});

describe('a document is told by its bytes', () => {
  it('knows PDF, DOCX, XLSX and ODT, and nothing else', () => {
    expect([pdfBytes(), docxBytes(), xlsxBytes(), odtBytes()].map(formatOf)).toEqual(['pdf', 'docx', 'xlsx', 'odt']);
    expect(formatOf(Buffer.from('MZ\x90\x00 an executable'))).toBeNull();
    expect(formatOf(zipOf([['notes.txt', 'a zip of something else']]))).toBeNull();
    // A macro-enabled package (.docm) is not a document the programme takes.
    expect(
      formatOf(
        zipOf([
          ['[Content_Types].xml', '<Types/>'],
          ['word/document.xml', '<w:document/>'],
          ['word/vbaProject.bin', 'macros'],
        ]),
      ),
    ).toBeNull();
    expect(formatOf(Buffer.alloc(0))).toBeNull();
    expect(formatOf(Buffer.from('PK\x03\x04 truncated'))).toBeNull();
  });

  it('names the rule a document breaks', () => {
    expect(documentProblem('institutionLetter', defaultDocumentRules.institutionLetter, docxBytes())).toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
    expect(documentProblem('proposal', { formats: ['pdf'], maxBytes: 2048 }, pdfBytes('big', 4096))).toMatchObject({ code: 'TOO_LARGE' });
    expect(documentProblem('proposal', defaultDocumentRules.proposal, odtBytes())).toBeNull();
  });
});
