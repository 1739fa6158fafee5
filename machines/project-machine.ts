import type { SnapshotFrom } from 'xstate';
import type { ProjectContext } from './project-context';
import { projectLaw, type LawVersion } from './project-law';
import { lawTerms, projectStates } from './project-states';

export { projectEventRoles, type LawVersion } from './project-law';

/** What law v2 records that v1 did not, as a project starts (or migrates) with it. */
export const lawV2Records = (
  firstProjectYearStarts: string,
): Required<
  Pick<
    ProjectContext,
    | 'firstProjectYearStarts'
    | 'reviewClosesAt'
    | 'reviewClosedAt'
    | 'presentationWaiver'
    | 'deadlineAmendments'
    | 'carriedTranche'
    | 'refusedTranches'
    | 'exhibitions'
    | 'suspendedAt'
    | 'clockStoppedMs'
  >
> => ({
  firstProjectYearStarts,
  reviewClosesAt: null,
  reviewClosedAt: null,
  presentationWaiver: null,
  deadlineAmendments: [],
  carriedTranche: null,
  refusedTranches: [],
  exhibitions: [],
  suspendedAt: null,
  clockStoppedMs: 0,
});

/**
 * The versions of the project's law. A project keeps the version it started with until its next
 * project-year boundary, where `migrateSnapshot` moves it to the current one (projects live for
 * years; a history recorded under v1 must replay under v1). A new version is a new number here,
 * the changes behind `law >= n`, and a migration step.
 */
export const currentLaw: LawVersion = 3;

/**
 * The whole life of one project: application, endorsement, the three review steps, decision,
 * contract, execution year by year (tranches, progress report, site visit in parallel), closing.
 * Pure: no timers, no I/O. Deadlines arrive as `system` events from the hosting workflow.
 *
 * Law v2 (2026-11): an institution may endorse before the PI submits (and amend its roster); the
 * office closes a round (late reviews refused), approves only after the presentation or its
 * recorded waiver, and the announcement decides every project still undecided; the office moves
 * a deadline with a reason; a suspension stops the clock when the policy says so.
 *
 * Law v3 (2026-12): the project keeps its documents (the proposal, the institution's letter, the
 * signed contract, the reports), each attached by its role while its step is open
 * (machines/documents.ts); the bytes are in the document store, their SHA-256 in the ledger.
 */
function buildProjectMachine(law: LawVersion) {
  const terms = lawTerms(law);
  const { since2, since3 } = terms;
  return projectLaw.createMachine({
    id: 'project',
    initial: 'draft',
    context: ({ input }) => ({
      projectId: input.projectId,
      callId: input.callId,
      policy: input.policy,
      application: input.application,
      endorsement: null,
      reviewers: [],
      reviews: [],
      presentation: null,
      decision: null,
      contractNumber: null,
      projectYear: 0,
      pendingTranche: null,
      disbursements: [],
      reportYear: 0,
      reportPastDue: false,
      acceptedReports: [],
      reports: [],
      siteVisits: [],
      closingReports: [],
      closingPastDue: false,
      endReason: null,
      ...since2({ lawVersion: law, ...lawV2Records(input.firstProjectYearStarts) }),
      ...since3({ documents: [] }),
    }),
    states: projectStates(terms),
  });
}

export const projectMachines: Record<LawVersion, ReturnType<typeof buildProjectMachine>> = {
  1: buildProjectMachine(1),
  2: buildProjectMachine(2),
  3: buildProjectMachine(3),
};
/** The law new projects start on. */
export const projectMachine = projectMachines[currentLaw];
export type ProjectMachine = typeof projectMachine;

/** A project's state under its law, as the workflow holds it and the judge reads it. */
export type ProjectSnapshot = SnapshotFrom<typeof projectMachine>;
