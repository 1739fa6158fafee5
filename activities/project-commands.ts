import { Context } from '@temporalio/activity';
import { AllianceError } from '../client/errors';
import type { ProjectClient } from '../client/projects';
import type { Actor } from '../domain/actor';
import type { ProjectEventType, ProjectPayload } from '../domain/project-events';
import type { ProjectView } from '../workflows/project-messages';

export interface ProjectCommand {
  projectId: string;
  type: ProjectEventType;
  actor: Actor;
  payload: ProjectPayload<ProjectEventType>;
}

export interface BulkOutcome {
  total: number;
  applied: number;
  /** Commands the project refused: already applied by an earlier run, or no longer applicable. */
  skipped: { projectId: string; type: ProjectEventType; reason: string }[];
}

/** What a bulk operation has done so far; heartbeated so a retry resumes where the last attempt stopped. */
interface Progress extends BulkOutcome {
  done: number;
}

export interface ProjectSummary {
  projectId: string;
  lifecycle: string;
  states: string[];
  reviews: { reviewerId: string; score: number }[];
  panelScore: number | null;
  decision: ProjectView['context']['decision'];
}

/** Activities that act on many projects at once for the call workflow. */
export function createProjectCommandActivities(deps: { projects: ProjectClient }) {
  return {
    /**
     * Sends each command to its project in order. Idempotent: a command the project refuses as
     * illegal now (e.g. a reviewer already assigned) is skipped, so a re-run changes nothing.
     */
    async applyProjectCommands(commands: ProjectCommand[]): Promise<BulkOutcome> {
      const context = Context.current();
      const resumed = context.info.heartbeatDetails as Progress | undefined;
      const progress: Progress = resumed ?? { done: 0, total: commands.length, applied: 0, skipped: [] };
      for (let i = progress.done; i < commands.length; i++) {
        const command = commands[i]!;
        try {
          await deps.projects.send(command.projectId, command.type, command.actor, command.payload);
          progress.applied++;
        } catch (error) {
          if (!(error instanceof AllianceError) || error.code === 'NOT_REACHABLE') throw error;
          progress.skipped.push({ projectId: command.projectId, type: command.type, reason: error.message });
        }
        progress.done = i + 1;
        context.heartbeat(progress);
      }
      const { done: _done, ...outcome } = progress;
      return outcome;
    },

    /** The review-relevant state of each project, for rankings and missing-review lists. */
    async summarizeProjects(projectIds: string[]): Promise<ProjectSummary[]> {
      const context = Context.current();
      const summaries: ProjectSummary[] = [];
      for (const projectId of projectIds) {
        const view = await deps.projects.view(projectId);
        summaries.push({
          projectId,
          lifecycle: view.lifecycle,
          states: view.states,
          reviews: view.context.reviews.map((r) => ({ reviewerId: r.reviewerId, score: r.score })),
          panelScore: view.context.presentation?.panelScore ?? null,
          decision: view.context.decision,
        });
        context.heartbeat({ done: summaries.length, total: projectIds.length });
      }
      return summaries;
    },
  };
}
