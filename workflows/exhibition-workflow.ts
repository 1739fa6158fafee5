import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BulkOutcome } from '../activities/project-commands';
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

export interface ExhibitionOutcome {
  projectYear: number | null;
  chosen: { projectId: string; rank: number; incomeNtd: number; countedMembers: number | null }[];
  outcome: BulkOutcome | null;
  /** Why nothing was selected, when nothing was. */
  reason?: string;
}

/**
 * The office's selection for a call's results exhibition (成果發表): the alliances ranked on the
 * policy's project year of accepted results, each told through its own law (`exhibition.select`).
 * One per call: its workflow id is the call's, so a second selection is refused.
 */
export async function exhibitionWorkflow({ projectIds, actor }: ExhibitionInput): Promise<ExhibitionOutcome> {
  const summaries = await summarizeProjects(projectIds);
  const policy = summaries.find((s) => s.exhibition)?.exhibition;
  if (!policy) return { projectYear: null, chosen: [], outcome: null, reason: "the call's policy names no results exhibition" };
  const chosen = rankForExhibition(summaries, policy, policy.industryProjectWeight);
  if (chosen.length === 0) return { projectYear: policy.projectYear, chosen, outcome: null, reason: `no alliance of the call has accepted results of project year ${policy.projectYear}` };
  const outcome = await applyProjectCommands(chosen.map((c) => ({ projectId: c.projectId, type: 'exhibition.select', actor, payload: { year: policy.projectYear, rank: c.rank } })));
  return { projectYear: policy.projectYear, chosen, outcome };
}
