import { acceptedKpis, type YearResults } from '../machines/kpis';
import { Context } from '@temporalio/activity';
import { AllianceError } from '../domain/errors';
import { inLanes } from './lanes';
import type { Actor } from '../domain/actor';
import type { ProjectEventType, ProjectPayload } from '../domain/project-events';
import { MAX_BATCH_COMMANDS, type BatchCommand, type CommandResult, type ProjectView } from '../messages/project';
import type { BulkOutcome } from '../domain/bulk';

export interface ProjectCommand {
  projectId: string;
  type: ProjectEventType;
  actor: Actor;
  payload: ProjectPayload<ProjectEventType>;
}

/**
 * What a bulk operation has done so far, heartbeated so a retry resumes where the last attempt
 * stopped: how many of each project's commands are done (attempts from before lanes heartbeated only `done`).
 */
interface Progress {
  total: number;
  applied: number;
  skipped: (BulkOutcome['skipped'][number] & { index: number })[];
  unreachable?: (BulkOutcome['skipped'][number] & { index: number })[];
  doneByProject?: Record<string, number>;
  /** Commands done in all: what a progress bar shows. */
  done?: number;
}

/** Projects are independent workflows: this many are sent commands at once, each in its own order. */
const PROJECTS_AT_ONCE = 8;

export interface ProjectSummary {
  projectId: string;
  lifecycle: string;
  states: string[];
  reviews: { reviewerId: string; score: number }[];
  panelScore: number | null;
  decision: ProjectView['context']['decision'];
  /** Each project year's accepted results (law v2), for the results exhibition. */
  results: YearResults[];
  /** The call's exhibition policy and the weight of industry–academia funding, as the project's policy holds them. */
  exhibition: { alliances: number; projectYear: number; industryProjectWeight: number } | null;
  /** Why the project could not be read within its deadline (then lifecycle is `unknown` and the rest empty); absent when it was. */
  unreachable?: string;
}

/** Projects whose state is read at once for a summary: queries only, no history written. */
const SUMMARIES_AT_ONCE = 16;

/** How long one project may take to answer one command of a bulk operation before it is reported unreachable. */
export const BULK_COMMAND_DEADLINE_MS = 20_000;

/** Activities that act on many projects at once for the call workflow. */
/**
 * What the bulk activity needs of the service's project client: sending a project its commands and
 * reading its view, each bounded by a deadline. The Temporal client (gateway/projects.ts) is one;
 * injected so this room never reaches for Temporal's client itself.
 */
export interface ProjectCommandSender {
  send<T extends ProjectEventType>(
    projectId: string,
    type: T,
    actor: Actor,
    payload: ProjectPayload<T>,
    options?: { updateId?: string; deadlineMs?: number },
  ): Promise<CommandResult>;
  sendBatch(projectId: string, commands: BatchCommand[], options?: { updateId?: string; deadlineMs?: number }): Promise<CommandResult>;
  view(projectId: string, options?: { deadlineMs?: number }): Promise<ProjectView>;
}

/** applyProjectCommands' work: the projects in lanes, each project's commands in order, a batch where it can. */
async function applyInLanes(projects: ProjectCommandSender, deadlineMs: number, commands: ProjectCommand[]): Promise<BulkOutcome> {
  const context = Context.current();
  const { workflowExecution, activityId } = context.info;
  const operationId = `${workflowExecution?.workflowId ?? 'bulk'}/${workflowExecution?.runId ?? ''}/${activityId}`;
  const resumed = context.info.heartbeatDetails as Progress | undefined;
  const progress: Progress = {
    total: commands.length,
    applied: resumed?.applied ?? 0,
    skipped: resumed?.skipped ?? [],
    unreachable: resumed?.unreachable ?? [],
    doneByProject: { ...resumed?.doneByProject },
  };
  const unreachable = progress.unreachable!;
  const doneByProject = progress.doneByProject!;
  const lanes = new Map<string, { command: ProjectCommand; index: number }[]>();
  commands.forEach((command, index) => lanes.set(command.projectId, [...(lanes.get(command.projectId) ?? []), { command, index }]));
  if (resumed?.done !== undefined && !resumed.doneByProject) {
    for (const { projectId } of commands.slice(0, resumed.done)) doneByProject[projectId] = (doneByProject[projectId] ?? 0) + 1;
  }
  const queue = [...lanes.entries()];
  const beat = (): void => {
    progress.done = progress.applied + progress.skipped.length + unreachable.length;
    context.heartbeat(progress);
  };
  const unreachableFrom = (projectId: string, list: { command: ProjectCommand; index: number }[], k: number, error: AllianceError): void => {
    // This project's later commands depend on this one: none is sent; the other projects go on.
    for (const rest of list.slice(k))
      unreachable.push({ index: rest.index, projectId, type: rest.command.type, reason: `no answer within ${deadlineMs / 1000} s (${error.message})` });
    doneByProject[projectId] = list.length;
    beat();
  };
  /** A project's remaining commands in one update; false when one of them is refused (each then goes on its own). */
  const inOneBatch = async (projectId: string, list: { command: ProjectCommand; index: number }[], from: number): Promise<boolean> => {
    const rest = list.slice(from);
    try {
      await projects.sendBatch(
        projectId,
        rest.map(({ command }) => ({ type: command.type, actor: command.actor, payload: command.payload })),
        {
          updateId: `${operationId}/${rest[0]!.index}-${rest.at(-1)!.index}`,
          deadlineMs,
        },
      );
    } catch (error) {
      if (!(error instanceof AllianceError)) throw error;
      if (error.code === 'NOT_REACHABLE') {
        unreachableFrom(projectId, list, from, error);
        return true;
      }
      return false;
    }
    progress.applied += rest.length;
    doneByProject[projectId] = list.length;
    beat();
    return true;
  };
  const lane = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [projectId, list] = next;
      const from = doneByProject[projectId] ?? 0;
      if (list.length - from > 1 && list.length - from <= MAX_BATCH_COMMANDS && (await inOneBatch(projectId, list, from))) continue;
      for (let k = from; k < list.length; k++) {
        const { command, index } = list[k]!;
        try {
          await projects.send(command.projectId, command.type, command.actor, command.payload, { updateId: `${operationId}/${index}`, deadlineMs });
          progress.applied++;
        } catch (error) {
          if (!(error instanceof AllianceError)) throw error;
          if (error.code === 'NOT_REACHABLE') {
            unreachableFrom(projectId, list, k, error);
            break;
          }
          progress.skipped.push({ index, projectId: command.projectId, type: command.type, reason: error.message, code: error.code });
        }
        doneByProject[projectId] = k + 1;
        beat();
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(PROJECTS_AT_ONCE, queue.length) }, lane));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  // Each keeps its command's place in the operation, so the caller knows which command it was (e.g. whose assignment).
  const inOrder = (list: Progress['skipped']) => [...list].sort((a, b) => a.index - b.index).map(({ index, ...rest }) => ({ ...rest, command: index }));
  return { total: progress.total, applied: progress.applied, skipped: inOrder(progress.skipped), unreachable: inOrder(unreachable) };
}

export function createProjectCommandActivities(deps: { projects: ProjectCommandSender; bulkCommandDeadlineMs?: number }) {
  const deadlineMs = deps.bulkCommandDeadlineMs ?? BULK_COMMAND_DEADLINE_MS;
  return {
    /**
     * Sends each command to its project, each project's in order, several projects at once.
     * Each command carries an update id derived from the operation and its position, so a command
     * sent again after a crash is answered by Temporal with its first outcome (done, not refused).
     * A project that does not answer within the deadline is reported unreachable and the
     * operation goes on; a command the project refuses as illegal now is skipped. A project's
     * commands go in one batch (one update, one ledger activity, applied together or not at all);
     * a batch with a command the project refuses goes again one command at a time, so that each is
     * applied or skipped on its own.
     */
    async applyProjectCommands(commands: ProjectCommand[]): Promise<BulkOutcome> {
      return applyInLanes(deps.projects, deadlineMs, commands);
    },

    /**
     * The review-relevant state of each project, for rankings and missing-review lists; 16 projects
     * read at once. A project that does not answer within the deadline (its query fails, it cannot
     * replay, its worker is gone) is summarized as unreachable, with the reason, so that one project
     * never holds its call's operation.
     */
    async summarizeProjects(projectIds: string[]): Promise<ProjectSummary[]> {
      const context = Context.current();
      let done = 0;
      return inLanes(projectIds, SUMMARIES_AT_ONCE, async (projectId): Promise<ProjectSummary> => {
        let view: ProjectView;
        try {
          view = await deps.projects.view(projectId, { deadlineMs });
        } catch (error) {
          // Whatever the project's failure (a query its code throws on, a deadline), it is this project's alone.
          context.heartbeat({ done: ++done, total: projectIds.length });
          return unreachableSummary(projectId, `state not read within ${deadlineMs / 1000} s: ${error instanceof Error ? error.message : String(error)}`);
        }
        context.heartbeat({ done: ++done, total: projectIds.length });
        return summaryOf(projectId, view);
      });
    },
  };
}

/** What a ranking, a missing-review list and an exhibition read of a project's view. */
const summaryOf = (projectId: string, view: ProjectView): ProjectSummary => ({
  projectId,
  lifecycle: view.lifecycle,
  states: view.states,
  reviews: view.context.reviews.map((r) => ({ reviewerId: r.reviewerId, score: r.score })),
  panelScore: view.context.presentation?.panelScore ?? null,
  decision: view.context.decision,
  results: acceptedKpis(view.context),
  exhibition: view.context.policy.exhibition
    ? { ...view.context.policy.exhibition, industryProjectWeight: view.context.policy.phase2IndustryProjectFundingWeight }
    : null,
});

/** A project whose state could not be read: no lifecycle, reviews or decision to go by. */
const unreachableSummary = (projectId: string, reason: string): ProjectSummary => ({
  projectId,
  lifecycle: 'unknown',
  states: [],
  reviews: [],
  panelScore: null,
  decision: null,
  results: [],
  exhibition: null,
  unreachable: reason,
});
