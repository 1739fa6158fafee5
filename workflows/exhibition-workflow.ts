import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ExhibitionOutcome } from '../messages/call';
import type { Actor } from '../domain/actor';
import { rankForExhibition } from '../machines/kpis';

const { applyProjectCommands, summarizeProjects } = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export interface ExhibitionInput {
  callId: string;
  /** The call's projects (its status lists them; the call itself may have closed years ago). */
  projectIds: string[];
  actor: Actor;
}

/**
 * The office's selection for a call's results exhibition (成果發表): the alliances ranked on the
 * policy's project year of accepted results, each told through its own law (`exhibition.select`).
 * One per call: its workflow id is the call's, so a second selection is refused (after one that selected nothing, allowed).
 */
export async function exhibitionWorkflow({ projectIds, actor }: ExhibitionInput): Promise<ExhibitionOutcome> {
  const summaries = await summarizeProjects(projectIds);
  const policy = summaries.find((s) => s.exhibition)?.exhibition;
  // Nothing to select fails the run, so that the office may select again once results are accepted.
  if (!policy) throw ApplicationFailure.create({ type: 'ILLEGAL_TRANSITION', message: "The call's policy names no results exhibition.", nonRetryable: true });
  const chosen = rankForExhibition(summaries, policy, policy.industryProjectWeight);
  if (chosen.length === 0)
    throw ApplicationFailure.create({
      type: 'ILLEGAL_TRANSITION',
      message: `No alliance of the call has accepted results of project year ${policy.projectYear} yet; select once they are accepted.`,
      nonRetryable: true,
    });
  const outcome = await applyProjectCommands(
    chosen.map((c) => ({ projectId: c.projectId, type: 'exhibition.select', actor, payload: { year: policy.projectYear, rank: c.rank } })),
  );
  return { projectYear: policy.projectYear, chosen, outcome };
}
