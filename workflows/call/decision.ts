// From the written review to the announcement: presentations invited (by hand or the top of each
// division's ranking) and scheduled, the decision meeting's ranking, and the announcement.
import { patched, setHandler } from '@temporalio/workflow';
import type { ProjectCommand } from '../../activities/project-commands';
import { addDuration } from '../../domain/duration';
import { projectWorkflowId } from '../../domain/ids';
import { rankByDivision } from '../../domain/ranking';
import { rankable } from '../../machines/call-machine';
import { announceUpdate, invitePresentationsUpdate, schedulePresentationsUpdate, startDecisionMeetingUpdate } from '../../messages/call';
import { summarizeProjects, type CallRun } from './run';

async function ranking(run: CallRun, purpose: 'invitation' | 'decisionMeeting') {
  const { projects, assignments } = run;
  const read = await summarizeProjects(projects.filter((p) => assignments[p.applicationId]).map((p) => p.projectId));
  // Since rank-live-v1 only live applications are ranked: a withdrawn or rejected one takes no place in the top N.
  const summaries = patched('rank-live-v1') ? read.filter((s) => rankable(s, purpose)) : read;
  return rankByDivision(
    summaries.map((s) => {
      const p = projects.find((x) => x.projectId === s.projectId)!;
      return {
        projectId: s.projectId,
        applicationId: p.applicationId,
        division: p.division,
        writtenScores: s.reviews.map((r) => r.score),
        panelScore: s.panelScore,
      };
    }),
  );
}

export function handleDecision(run: CallRun): void {
  const { call, projects, assignments, invited, slots } = run;
  setHandler(
    invitePresentationsUpdate,
    async (args) => {
      const actor = run.admit('call.invitePresentations', args);
      run.move('presentation.start', actor);
      let chosen: string[] = args.applicationIds ?? [];
      if (args.topPerDivision !== undefined) {
        chosen = Object.values(await ranking(run, 'invitation')).flatMap((list) => list.slice(0, args.topPerDivision).map((r) => r.applicationId));
      }
      for (const id of chosen) if (!invited.includes(id)) invited.push(id);
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
      // Each division presents in its own room, one slot after another in invitation order.
      const perDivision = new Map<string, number>();
      const commands: ProjectCommand[] = invited.map((id) => {
        const project = projects.find((p) => p.applicationId === id)!;
        const n = perDivision.get(project.division) ?? 0;
        perDivision.set(project.division, n + 1);
        let slot = new Date(args.startsAt);
        for (let i = 0; i < n; i++) slot = addDuration(slot, call.policy.presentationSlotLength);
        slots[id] = slot.toISOString();
        return {
          projectId: project.projectId,
          type: 'presentation.schedule',
          actor,
          payload: { slot: slot.toISOString(), venue: `${project.division} 簡報室` },
        };
      });
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
      const announced = patched('announce-all-v1')
        ? projects.filter((p) => assignments[p.applicationId] || run.onRoster(p))
        : projects.filter((p) => assignments[p.applicationId]);
      return run.bulk(
        'announcement',
        actor,
        announced.map((p) => ({ projectId: p.projectId, type: 'decision.announce', actor, payload: {} })),
      );
    },
    run.validate('call.announce'),
  );
}
