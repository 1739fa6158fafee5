import { initialTransition } from 'xstate';
import { alliance105 } from '../../domain/calls';
import type { Application } from '../../domain/application';
import { durableRecordProblem, registrationRecordProblem } from '../../machines/eligibility';
import type { ProjectSnapshot } from '../../machines/judge';
import { projectMachine } from '../../machines/project-machine';
import { lifecycleState, statePaths } from '../../machines/state-names';
import type { ProjectView } from '../../machines/views';
import { anApplication } from '../fixtures/applications';
import { projectInput } from '../fixtures/project-input';
import { drive, toExecution, type Step } from '../helpers/drive';

/**
 * Phase 2 and the overdue closing report, judged on the applicant's record (the "Why" of issue 11:
 * the phase-1 project, its grant and its income were typed in and checked against nothing).
 */
const policy = alliance105.policy;
const report: Step[] = ['progressReport.submit', 'progressReport.accept', 'year.end'];
const viewOf = (s: ProjectSnapshot, workflowId = s.context.projectId): ProjectView => ({
  workflowId,
  lifecycle: lifecycleState(s.value),
  states: statePaths(s.value),
  done: s.status === 'done',
  overdue: false,
  projectYear: s.context.projectYear,
  deadlines: [],
  context: s.context,
});
const project = (steps: Step[], application: Application = anApplication(), id = 'project:alliance-105:TE2-0001') =>
  viewOf(drive(initialTransition(projectMachine, projectInput({ projectId: id, application }))[0], steps));
const inYear3 = project([...toExecution, ...report, ...report]);
const phase2 = (overrides: Partial<Extract<Application['phase'], { phase: 2 }>> = {}): Application =>
  anApplication({
    id: 'TE2-0101',
    phase: {
      phase: 2,
      phase1ProjectId: inYear3.workflowId,
      phase1Year3GrantNtd: 1_000_000,
      year3Income: { memberFeesNtd: 900_000, technologyTransferNtd: 0, technicalServicesNtd: 300_000, industryAcademiaProjectsNtd: 0 },
      ...overrides,
    },
  });

describe('phase 2, checked against the phase-1 project', () => {
  it('registers a phase 2 of the same PI and institution, its phase 1 in its final year, the grant as recorded', () => {
    expect(inYear3.projectYear).toBe(3);
    expect(registrationRecordProblem(phase2(), policy, { piProjects: [inYear3], phase1: inYear3 })).toBeNull();
  });

  it.each([
    [
      'an unknown phase-1 project',
      () => ({ app: phase2({ phase1ProjectId: 'project:alliance-102:TE2-0404' }), phase1: null }),
      /is not a project of yours at NTU in the programme/,
    ],
    [
      'another PI',
      () => ({
        app: phase2(),
        phase1: {
          ...inYear3,
          context: { ...inYear3.context, application: { ...inYear3.context.application, pi: { ...inYear3.context.application.pi, id: 'pi-chen' } } },
        },
      }),
      /is not a project of yours at NTU in the programme/,
    ],
    [
      'a phase 1 still in its first year',
      () => ({ app: phase2(), phase1: project(toExecution) }),
      /has not reached its final project year \(3\); it is execution, year 1/,
    ],
    [
      'a grant other than recorded',
      () => ({ app: phase2({ phase1Year3GrantNtd: 3_000_000 }), phase1: inYear3 }),
      /was granted NT\$1,000,000 for its year 3, not the NT\$3,000,000 declared/,
    ],
    [
      'a third phase',
      () => ({
        app: phase2(),
        phase1: project(
          [...toExecution, ...report, ...report],
          anApplication({
            phase: {
              phase: 2,
              phase1ProjectId: 'project:alliance-102:TE2-0001',
              phase1Year3GrantNtd: 1,
              year3Income: { memberFeesNtd: 2, technologyTransferNtd: 0, technicalServicesNtd: 0, industryAcademiaProjectsNtd: 0 },
            },
          }),
        ),
      }),
      /is itself phase 2; an alliance has at most 2 phases/,
    ],
  ] as [string, () => { app: Application; phase1: ProjectView | null }, RegExp][])('refuses %s', (_, setup, message) => {
    const { app, phase1 } = setup();
    expect(registrationRecordProblem(app, policy, { piProjects: phase1 ? [phase1] : [], phase1 })).toMatch(message);
  });

  it('refuses a second phase 2 of the same alliance', () => {
    const first = project([], phase2(), 'project:alliance-108:TE2-0101');
    expect(registrationRecordProblem({ ...phase2(), id: 'TE2-0102' }, policy, { piProjects: [inYear3, first], phase1: inYear3 })).toMatch(
      /is already continued by project:alliance-108:TE2-0101/,
    );
  });

  it('refuses more year-3 income than the phase-1 project reported', () => {
    const kpis = { year: 3, members: 5, memberFeesNtd: 500_000, technologyTransferNtd: 0, technicalServicesNtd: 100_000, industryAcademiaProjectsNtd: 0 };
    const reported = project([...toExecution, ...report, ...report, 'year.end', 'closingReport.submit', 'closingReport.accept']);
    // No progress report in the final year: the record has no year-3 results, and the declaration stands.
    expect(registrationRecordProblem(phase2({ phase1ProjectId: reported.workflowId }), policy, { piProjects: [reported], phase1: reported })).toBeNull();
    const withResults: ProjectView = {
      ...reported,
      context: {
        ...reported.context,
        reports: [
          ...reported.context.reports,
          { ...reported.context.reports[0]!, year: 3, outcome: 'submitted', kpis: { ...kpis, countedMembers: 5 } },
          { ...reported.context.reports[1]!, year: 3, outcome: 'accepted' },
        ],
      },
    };
    expect(registrationRecordProblem(phase2({ phase1ProjectId: reported.workflowId }), policy, { piProjects: [withResults], phase1: withResults })).toMatch(
      /reported year-3 income of NT\$600,000; phase.year3Income declares NT\$1,200,000/,
    );
  });
});

describe("an overdue closing report blocks the PI's next application", () => {
  const overdue = project([...toExecution, ...report, ...report, 'year.end', 'deadline.closingReport']);

  it('refuses a new application while the closing report is overdue, naming the project', () => {
    expect(overdue.lifecycle).toBe('closing');
    expect(registrationRecordProblem(anApplication({ id: 'TE2-0200' }), policy, { piProjects: [overdue], phase1: null })).toMatch(
      /closing report of project:alliance-105:TE2-0001 is overdue; pi-lin may apply again once it is filed/,
    );
  });

  it('lets it through when the policy says so, and once the report is filed', () => {
    expect(
      registrationRecordProblem(
        anApplication({ id: 'TE2-0200' }),
        { ...policy, overdueClosingReportBlocksApplications: false },
        { piProjects: [overdue], phase1: null },
      ),
    ).toBeNull();
    const filed = project([...toExecution, ...report, ...report, 'year.end', 'deadline.closingReport', 'closingReport.submit']);
    expect(registrationRecordProblem(anApplication({ id: 'TE2-0200' }), policy, { piProjects: [filed], phase1: null })).toBeNull();
  });

  it("refuses on the ledger's record alone, when Temporal no longer holds the project; an overdue progress report does not block", () => {
    const recorded = (state: string, overdue: boolean) => [{ workflowId: 'project:alliance-101:TE2-0042', state, overdue }];
    expect(registrationRecordProblem(anApplication({ id: 'TE2-0200' }), policy, { piProjects: [], phase1: null, recorded: recorded('closing', true) })).toMatch(
      /closing report of project:alliance-101:TE2-0042 is overdue/,
    );
    expect(
      registrationRecordProblem(anApplication({ id: 'TE2-0200' }), policy, { piProjects: [], phase1: null, recorded: recorded('execution', true) }),
    ).toBeNull();
    expect(
      registrationRecordProblem(anApplication({ id: 'TE2-0200' }), policy, { piProjects: [], phase1: null, recorded: recorded('closing', false) }),
    ).toBeNull();
  });
});

describe('a phase 1 declared again by a running alliance', () => {
  const recorded = (state: string, phase = 1, institution = 'NTU') => [
    { workflowId: 'project:alliance-103:TE2-0077', state, overdue: false, institution, phase },
  ];
  const fresh = anApplication({ id: 'TE2-0300' });

  it("is refused while the PI's funded alliance at that institution runs, naming the phase 2 to apply for, or that its phases are spent", () => {
    for (const state of ['approved', 'contracting', 'execution', 'suspended'])
      expect(durableRecordProblem(fresh, policy, recorded(state))).toMatch(
        /phase 2 \(phase\.phase1ProjectId project:alliance-103:TE2-0077\) once it reaches its final year/,
      );
    expect(durableRecordProblem(fresh, policy, recorded('execution', 2))).toMatch(/it is in phase 2, the last of the 2 an alliance has/);
    expect(registrationRecordProblem(fresh, policy, { piProjects: [], phase1: null, recorded: recorded('execution') })).toMatch(/leads a running alliance/);
  });

  it('is a new alliance at another institution, once the earlier one has ended, or when it never was funded; a phase 2 is judged by its own rules', () => {
    expect(durableRecordProblem(fresh, policy, recorded('execution', 1, 'NCKU'))).toBeNull();
    for (const state of ['closing', 'closed', 'terminated', 'review', 'rejected', 'lapsed'])
      expect(durableRecordProblem(fresh, policy, recorded(state))).toBeNull();
    expect(durableRecordProblem(phase2(), policy, recorded('execution'))).toBeNull();
  });
});
