// A person's work across the calls, as the law's call view lets them see it (/api/me and the home page).
import type { Actor } from '../../domain/actor';
import { inLanes } from '../../activities/lanes';
import { byDue, todoFor, type TodoItem } from '../../machines/todo';
import { callViewFor, type CallReading } from '../../machines/views';
import type { CallView } from '../../messages/call';
import { listCalls } from './calls';
import type { Services } from './services';

/** Calls read at once: the running ones are each one query to the worker. */
const CALLS_AT_ONCE = 8;

/** What a person's work reads of a call: its projects and who reviews which (the rest of the view is left empty). */
type CallWork = CallReading & {
  projects: Pick<CallView['projects'][number], 'projectId' | 'applicationId' | 'institutionId' | 'piId' | 'title'>[];
  assignments: Record<string, string[]>;
};

const workOf = (view: Pick<CallView, 'projects' | 'assignments'>): CallWork => ({
  projects: view.projects.map(({ projectId, applicationId, institutionId, piId, title }) => ({
    projectId,
    applicationId,
    institutionId,
    ...(piId !== undefined && { piId }),
    title,
  })),
  assignments: view.assignments,
  rosters: [],
  rounds: [],
  invited: [],
  slots: {},
  operations: [],
});

/**
 * The work of closed calls, by call and run start: a closed call never changes again (a reset
 * would start a new run, so a new key). One map per service, its CallClient standing for it.
 */
const closedCalls = new WeakMap<object, Map<string, CallWork>>();

/**
 * A closed call's work. Its status query would replay the call's whole history on a worker, on
 * every request (about a third of a second for a call of 20 applications on two cores, more the
 * longer its history: docs/performance.md): the call workflow's result is its last view
 * (workflows/call-workflow.ts), read from its close event alone, once.
 * A call closed but not completed yet (its last ledger append still on its way) is queried.
 */
async function closedCallWork(services: Services, call: { callId: string; startedAt: string }): Promise<CallWork> {
  const cache = closedCalls.get(services.calls) ?? new Map<string, CallWork>();
  closedCalls.set(services.calls, cache);
  const key = `${call.callId}@${call.startedAt}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const view = await services.bounded('command', () => services.calls.finalView(call.callId));
  if (!view) return workOf(await services.bounded('command', () => services.calls.status(call.callId)));
  const work = workOf(view);
  cache.set(key, work);
  return work;
}

/** The actor's projects across the calls, as the law's call view lets them see them; and the calls still open. */
export async function myWork(services: Services, actor: Actor): Promise<{ projects: WorkItem[]; openCalls: string[] }> {
  const calls = await services.bounded('command', () => listCalls(services));
  const views = await inLanes(calls, CALLS_AT_ONCE, async (call) =>
    callViewFor(
      actor,
      call.state === 'closed' ? await closedCallWork(services, call) : workOf(await services.bounded('command', () => services.calls.status(call.callId))),
    ),
  );
  const projects = calls.flatMap((call, i) => workItems(call.callId, views[i]!, actor));
  return { projects, openCalls: calls.filter((c) => c.state === 'open').map((c) => c.callId) };
}

/** The actor's items of one call, from the call's view as the law shows it to them. */
export function workItems(
  callId: string,
  view: { projects: readonly { projectId: string; applicationId: string; title: string }[]; assignments: Record<string, readonly string[]> },
  actor: Actor,
): WorkItem[] {
  return view.projects.map((p) => ({
    callId,
    projectId: p.projectId,
    applicationId: p.applicationId,
    title: p.title,
    assignedToMe: (view.assignments[p.applicationId] ?? []).includes(actor.id),
  }));
}
type WorkItem = { callId: string; projectId: string; applicationId: string; title: string; assignedToMe: boolean };

/** Projects read at once for a to-do list: each one query to the worker. */
const PROJECTS_AT_ONCE = 8;

/**
 * What the person must do next, soonest first: the law's to-do items (machines/todo.ts) of each of
 * their projects (a reviewer's: those assigned to them), from each project's own deadlines. A
 * project that cannot be read now is left out rather than failing the list.
 */
export async function myTodo(services: Services, actor: Actor, work: readonly WorkItem[]): Promise<TodoItem[]> {
  const mine = work.filter((w) => actor.role !== 'reviewer' || w.assignedToMe);
  const items = await inLanes(mine, PROJECTS_AT_ONCE, (w) =>
    services
      .bounded('command', () => services.projects.view(w.projectId))
      .then(
        (view) => todoFor(actor, view),
        () => [] as TodoItem[],
      ),
  );
  return items.flat().sort(byDue);
}
