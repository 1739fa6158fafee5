import { NewApplication } from '../domain/application';
import type { Actor } from '../domain/actor';
import { AllianceError } from '../domain/errors';
import { registrationRecordProblem } from '../machines/eligibility';
import type { ProjectView } from '../machines/views';
import type { Services } from './app';
import { myWork } from './routes/me';

/**
 * Before a PI registers an application: gathers the PI's record across the calls (their projects,
 * and the phase-1 project a phase 2 names) and asks the law whether the application may enter
 * (`machines/eligibility.ts`). Throws the law's refusal; an application the schema refuses is left
 * for the call's own validator to explain.
 */
export async function checkApplicantRecord(services: Services, callId: string, actor: Actor, input: unknown): Promise<void> {
  const parsed = NewApplication.safeParse(input);
  if (!parsed.success || actor.role !== 'pi' || actor.id !== parsed.data.pi.id) return;
  const application = parsed.data;
  const { policy } = await services.bounded('command', () => services.calls.status(callId));
  if (!policy) return;
  const view = (id: string): Promise<ProjectView | null> =>
    services.bounded('command', () => services.projects.view(id)).catch((error: unknown) => {
      if (error instanceof AllianceError && error.code === 'NOT_FOUND') return null;
      throw error;
    });
  const { projects } = await myWork(services, actor);
  const piProjects = (await Promise.all(projects.map((p) => view(p.projectId)))).filter((p): p is ProjectView => p !== null);
  const phase1 = application.phase.phase === 2 ? await view(application.phase.phase1ProjectId) : null;
  const problem = registrationRecordProblem(application, policy, { piProjects, phase1 });
  if (problem) throw new AllianceError('FORBIDDEN', problem);
}
