// From the written review to the announcement: presentations invited (by hand or the top of each
// division's ranking) and scheduled, the decision meeting's ranking, and the announcement.
import { patched, setHandler } from '@temporalio/workflow';
import type { ProjectCommand } from '../../activities/project-commands';
import { projectWorkflowId } from '../../domain/ids';
import { announcementPlan, invitationPlan, rankingPlan, reviewed, slotPlan } from '../../machines/call-plans';
import { announceUpdate, invitePresentationsUpdate, schedulePresentationsUpdate, startDecisionMeetingUpdate } from '../../messages/call';
import { summarizeProjects, type CallRun } from './run';

async function ranking(run: CallRun, purpose: 'invitation' | 'decisionMeeting') {
  const read = await summarizeProjects(reviewed(run).map((p) => p.projectId));
  // Since rank-live-v1 only live applications are ranked: a withdrawn or rejected one takes no place in the top N.
  return rankingPlan(run, read, purpose, patched('rank-live-v1'));
}

export function handleDecision(run: CallRun): void {
  const { call } = run;
  setHandler(
    invitePresentationsUpdate,
    async (args) => {
      const actor = run.admit('call.invitePresentations', args);
      run.move('presentation.start', actor);
      const top = args.topPerDivision !== undefined ? await ranking(run, 'invitation') : null;
      const chosen = invitationPlan(top, args.applicationIds ?? [], args.topPerDivision);
      run.record({ type: 'record.invited', applicationIds: chosen });
      return run.bulk(
        'presentation invitations',
        actor,
        chosen.map((id) => ({ projectId: projectWorkflowId(call.id, id), type: 'presentation.invite', actor, payload: {} })),
      );
    },
    run.validate('call.invitePresentations'),
  );

  setHandler(
    schedulePresentationsUpdate,
    (args) => {
      const actor = run.admit('call.schedulePresentations', args);
      const planned = slotPlan(run, run.invited, args.startsAt, call.policy.presentationSlotLength);
      run.record({ type: 'record.slots', slots: Object.fromEntries(planned.map((p) => [p.applicationId, p.slot])) });
      const commands: ProjectCommand[] = planned.map((p) => ({
        projectId: p.projectId,
        type: 'presentation.schedule',
        actor,
        payload: { slot: p.slot, venue: p.venue },
      }));
      return run.bulk('presentation schedule', actor, commands);
    },
    run.validate('call.schedulePresentations'),
  );

  setHandler(
    startDecisionMeetingUpdate,
    (args) => {
      const actor = run.admit('call.startDecisionMeeting', args);
      run.move('decision.start', actor);
      return run.exclusive(() => ranking(run, 'decisionMeeting'));
    },
    run.validate('call.startDecisionMeeting'),
  );

  setHandler(
    announceUpdate,
    (args) => {
      const actor = run.admit('call.announce', args);
      run.move('decision.announce', actor);
      // Since announce-all-v1 the announcement decides every endorsed project, reviewed or not (its law rejects the undecided, with the reason).
      const announced = announcementPlan(run, patched('announce-all-v1'));
      return run.bulk(
        'announcement',
        actor,
        announced.map((p) => ({ projectId: p.projectId, type: 'decision.announce', actor, payload: {} })),
      );
    },
    run.validate('call.announce'),
  );
}
