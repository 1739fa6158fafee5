// The call's door for applications: registration (each application its own project, started as an
// abandoned child), the institutions' rosters, the office's moved deadlines and the call's close.
import { patched, setHandler, startChild } from '@temporalio/workflow';
import { Application } from '../../domain/application';
import { projectWorkflowId } from '../../domain/ids';
import { withRegisteredInstitution } from '../../machines/notice-addresses';
import { requestedTotal } from '../../domain/rules';
import { amendDeadlineUpdate, closeCallUpdate, registerApplicationUpdate, submitRosterUpdate, type CallAmendment, type Roster } from '../../messages/call';
import { CURRENT_PATCH_LEVEL } from '../../messages/patch-levels';
import { draftFacts, searchAttributesOf } from '../../messages/search-attributes';
import { projectWorkflow } from '../project-workflow';
import { applicantRecordProblem, claimPhase2Continuation, now, refuse, type CallRun } from './run';

/** The phase-1 project a phase-2 application continues, or undefined. */
const continues = (application: Pick<Application, 'phase'>): string | undefined =>
  application.phase.phase === 2 ? application.phase.phase1ProjectId : undefined;

export function handleApplications(run: CallRun): void {
  const { call, registering } = run;
  setHandler(
    registerApplicationUpdate,
    async (args) => {
      // The research office is told where the office's registry says (the validator refused an institution not in it).
      const addressed = withRegisteredInstitution(Application.parse(args.application), run.institutions);
      const application = addressed.ok ? addressed.application : refuse('FORBIDDEN', addressed.problem);
      registering.set(application.id, application);
      const workflowId = projectWorkflowId(call.id, application.id);
      const phase1ProjectId = continues(application);
      // Since applicant-record-v1 the call judges the applicant's durable record itself (the door asked first, to spare
      // the history a refusal): whatever reached the call, by whichever door, passes the same law.
      if (patched('applicant-record-v1')) {
        const problem = await applicantRecordProblem({ application, policy: call.policy }).then(
          (refusal) => refusal && { code: 'FORBIDDEN', refusal },
          () => ({
            code: 'NOT_REACHABLE',
            refusal: `call.registerApplication was refused: the applicant's record could not be read just now; send it again in a minute.`,
          }),
        );
        if (problem) {
          registering.delete(application.id);
          refuse(problem.code, problem.refusal);
        }
      }
      // Since phase2-claim-v1 a phase 2 holds its phase-1 project in the shared store before it starts: one per
      // phase-1 project across every call, race-free and beyond Temporal's retention.
      if (phase1ProjectId && patched('phase2-claim-v1')) {
        const holder = await claimPhase2Continuation({ phase1ProjectId, projectId: workflowId });
        if (holder !== workflowId) {
          registering.delete(application.id);
          refuse(
            'FORBIDDEN',
            `call.registerApplication was refused: phase.phase1ProjectId ${phase1ProjectId} is already continued by ${holder}; an alliance has one phase 2.`,
          );
        }
      }
      await startChild(projectWorkflow, {
        workflowId,
        args: [{ call: { ...call, calendar: run.calendar }, application, patchLevel: CURRENT_PATCH_LEVEL }],
        parentClosePolicy: 'ABANDON',
        typedSearchAttributes: searchAttributesOf(draftFacts(call, application)),
      });
      run.record({
        type: 'record.project',
        project: {
          projectId: workflowId,
          applicationId: application.id,
          institutionId: application.institution.id,
          piId: application.pi.id,
          division: application.division,
          region: application.region,
          title: application.title,
          ...(phase1ProjectId && { phase1ProjectId }),
          requestedNtd: application.budget.reduce((sum, b) => sum + requestedTotal(application, b.year), 0),
        },
      });
      run.version++;
      return workflowId;
    },
    run.validate('call.registerApplication'),
  );

  setHandler(
    submitRosterUpdate,
    (args) => {
      const actor = run.admit('call.submitRoster', args);
      const roster: Roster = {
        institutionId: actor.id,
        rosterId: args.rosterId,
        letterReference: args.letterReference,
        applicationIds: args.applicationIds,
        by: actor,
        at: now(),
      };
      run.record({ type: 'record.roster', roster });
      run.version++;
      return run.bulk(
        `roster ${args.rosterId}`,
        actor,
        args.applicationIds.map((applicationId) => ({
          projectId: projectWorkflowId(call.id, applicationId),
          type: 'endorsement.record',
          actor,
          payload: { rosterId: args.rosterId, letterReference: args.letterReference },
        })),
      );
    },
    run.validate('call.submitRoster'),
  );
}

export function handleAmendmentsAndClose(run: CallRun): void {
  setHandler(
    amendDeadlineUpdate,
    (args) => {
      const actor = run.admit('call.amendDeadline', args);
      const amendment: CallAmendment = { deadline: args.deadline, until: new Date(args.until).toISOString(), reason: args.reason.trim(), by: actor, at: now() };
      run.record({ type: 'record.amendment', amendment });
      run.version++;
      // Every project registered so far moves the same deadline in its own law, recorded with who and why;
      // since amend-call-scope-v1 marked as the call's, so a project's own later extension stands.
      const scope = patched('amend-call-scope-v1') ? { scope: 'call' as const } : {};
      return run.bulk(
        `${args.deadline} deadline moved to ${amendment.until}`,
        actor,
        run.projects.map((p) => ({
          projectId: p.projectId,
          type: 'deadline.amend',
          actor,
          payload: { deadline: args.deadline, until: amendment.until, reason: amendment.reason, ...scope },
        })),
      );
    },
    run.validate('call.amendDeadline'),
  );

  setHandler(
    closeCallUpdate,
    (args) => {
      run.move('call.close', run.admit('call.close', args));
      return Promise.resolve(run.state());
    },
    run.validate('call.close'),
  );
}
