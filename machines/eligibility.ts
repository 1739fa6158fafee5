import type { Application } from '../domain/application';
import type { ProgrammePolicy } from '../domain/policy';
import { acceptedKpis, resultsIncome } from './kpis';
import type { ProjectView } from './views';

/** What the programme knows of an applicant when a new application is registered. */
export interface ApplicantRecord {
  /** Every project the PI's applications became, in every call. */
  piProjects: readonly ProjectView[];
  /** The project a phase-2 application says it continues, if the programme knows it. */
  phase1: ProjectView | null;
  /**
   * The PI's projects as the audit ledger records them (state and overdue), in every call: the
   * record that outlives Temporal's retention, and a call that no longer answers.
   */
  recorded?: readonly RecordedProject[];
}

const ntd = (n: number): string => `NT$${n.toLocaleString('en-US')}`;
const ended = new Set(['lapsed', 'withdrawn', 'rejected']);

/**
 * The states of a funded alliance still running: approved at the announcement, through its project
 * years. A continuing alliance applies for its next phase in its final year.
 */
const liveAlliance = new Set(['approved', 'contracting', 'execution', 'suspended']);

/** A PI's project as the durable record keeps it (the ledger's read model): enough to judge the rules that outlive Temporal. */
export interface RecordedProject {
  workflowId: string;
  state: string;
  overdue: boolean;
  /** The institution the project runs at, and its phase (absent: not known). */
  institution?: string;
  phase?: number;
}

/** An overdue closing report blocks the PI's next application (policy; absent: it blocks). */
function overdueProblem(application: Application, policy: ProgrammePolicy, recorded: readonly RecordedProject[]): string | null {
  if (policy.overdueClosingReportBlocksApplications === false) return null;
  // Overdue and not in: a closing report filed late (submitted, under review) no longer blocks.
  const overdue = recorded.find((p) => p.state === 'closing' && p.overdue);
  return overdue
    ? `call.registerApplication was refused: the closing report of ${overdue.workflowId} is overdue; ${application.pi.id} may apply again once it is filed.`
    : null;
}

/**
 * A phase 1 starts a new alliance. The record knows an alliance by its PI and institution, so a PI
 * whose funded alliance at the same institution still runs (a continuing alliance applies for its
 * next phase in its final year) may not declare phase 1 there: that would escape the limit of
 * `maxPhases` phases. Once that alliance has ended its project years, a phase 1 is a new alliance.
 */
function redeclarationProblem(application: Application, policy: ProgrammePolicy, recorded: readonly RecordedProject[]): string | null {
  if (application.phase.phase !== 1) return null;
  const alliance = recorded.find((p) => p.institution === application.institution.id && liveAlliance.has(p.state));
  if (!alliance) return null;
  const phase = alliance.phase ?? 1;
  const next =
    phase < policy.maxPhases
      ? `its next phase is applied for as phase ${phase + 1} (phase.phase1ProjectId ${alliance.workflowId}) once it reaches its final year`
      : `it is in phase ${phase}, the last of the ${policy.maxPhases} an alliance has`;
  return `call.registerApplication was refused: ${application.pi.id} leads a running alliance of the programme at ${application.institution.id} (${alliance.workflowId}, ${alliance.state}); a phase 1 starts a new alliance, and ${next}.`;
}

/**
 * The rules judged on the applicant's durable record alone (the ledger's read model of the PI's
 * projects, beyond Temporal's retention): what the call asks of the shared store before it starts an
 * application's project, and the door asks first.
 */
export function durableRecordProblem(application: Application, policy: ProgrammePolicy, recorded: readonly RecordedProject[]): string | null {
  return overdueProblem(application, policy, recorded) ?? redeclarationProblem(application, policy, recorded);
}

/**
 * Whether a new application may be registered, judged on the applicant's own record rather than on
 * what the application says of itself: the durable rules above; a phase-2 application continues a
 * real phase-1 project of the same PI and institution that reached its final year, with its grant as
 * recorded and no more income than it reported, and an alliance has at most `maxPhases` phases.
 * Pure: the door gathers the record, this decides.
 */
export function registrationRecordProblem(application: Application, policy: ProgrammePolicy, record: ApplicantRecord): string | null {
  const fromTemporal = record.piProjects.map((p) => ({ workflowId: p.workflowId, state: p.lifecycle, overdue: p.states.includes('closing.overdue') }));
  // The alliance rule reads the durable record only: it is the call's, which judges the same record again.
  const durable =
    overdueProblem(application, policy, [...fromTemporal, ...(record.recorded ?? [])]) ?? redeclarationProblem(application, policy, record.recorded ?? []);
  if (durable) return durable;
  if (application.phase.phase !== 2) return null;
  const { phase1ProjectId, phase1Year3GrantNtd, year3Income } = application.phase;
  const refuse = (why: string) => `call.registerApplication was refused: phase.phase1ProjectId ${phase1ProjectId} ${why}`;
  const base = record.phase1;
  // Unknown or another's: one answer, so that no one learns of others' projects by naming them.
  const earlier = base?.context.application;
  if (!base || !earlier || earlier.pi.id !== application.pi.id || earlier.institution.id !== application.institution.id) {
    return refuse(
      `is not a project of yours at ${application.institution.id} in the programme; a phase 2 continues the same PI's alliance at the same institution, named by its id (e.g. project:alliance-105:TE2-0001).`,
    );
  }
  if (earlier.phase.phase + 1 > policy.maxPhases) return refuse(`is itself phase ${earlier.phase.phase}; an alliance has at most ${policy.maxPhases} phases.`);
  const finalYear = earlier.yearsRequested;
  const reachedFinalYear =
    ['closing', 'closed'].includes(base.lifecycle) || (['execution', 'suspended'].includes(base.lifecycle) && base.projectYear >= finalYear);
  if (!reachedFinalYear) return refuse(`has not reached its final project year (${finalYear}); it is ${base.lifecycle}, year ${base.projectYear}.`);
  const decision = base.context.decision;
  const grant = decision?.outcome === 'approved' ? (decision.amountsNtd[2] ?? decision.amountsNtd.at(-1) ?? 0) : 0;
  if (phase1Year3GrantNtd !== grant)
    return refuse(`was granted ${ntd(grant)} for its year 3, not the ${ntd(phase1Year3GrantNtd)} declared in phase.phase1Year3GrantNtd.`);
  const reported = acceptedKpis(base.context).find((k) => k.year === 3);
  if (reported) {
    const declared = resultsIncome({ ...reported, ...year3Income }, policy.phase2IndustryProjectFundingWeight);
    const recorded = resultsIncome(reported, policy.phase2IndustryProjectFundingWeight);
    if (declared > recorded) return refuse(`reported year-3 income of ${ntd(recorded)}; phase.year3Income declares ${ntd(declared)}, more than it reported.`);
  }
  const continuation = record.piProjects.find(
    (p) =>
      p.workflowId !== base.workflowId &&
      !ended.has(p.lifecycle) &&
      p.context.application.phase.phase === 2 &&
      p.context.application.phase.phase1ProjectId === phase1ProjectId,
  );
  if (continuation) return refuse(`is already continued by ${continuation.workflowId}; an alliance has one phase 2.`);
  return null;
}
