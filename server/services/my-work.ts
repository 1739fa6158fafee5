// A person's work across the calls, as the law's call view lets them see it (/api/me and the home page).
import type { Actor } from '../../domain/actor';
import { callViewFor } from '../../machines/views';
import { listCalls } from './calls';
import type { Services } from './services';

/** The actor's projects across the calls, as the law's call view lets them see them; and the calls still open. */
export async function myWork(services: Services, actor: Actor): Promise<{ projects: WorkItem[]; openCalls: string[] }> {
  const calls = await services.bounded('command', () => listCalls(services));
  const projects: WorkItem[] = [];
  for (const call of calls) {
    const view = callViewFor(actor, await services.bounded('command', () => services.calls.status(call.callId)));
    for (const p of view.projects) {
      projects.push({
        callId: call.callId,
        projectId: p.projectId,
        applicationId: p.applicationId,
        title: p.title,
        assignedToMe: (view.assignments[p.applicationId] ?? []).includes(actor.id),
      });
    }
  }
  return { projects, openCalls: calls.filter((c) => c.state === 'open').map((c) => c.callId) };
}
type WorkItem = { callId: string; projectId: string; applicationId: string; title: string; assignedToMe: boolean };
