import { NewApplication, type Application } from '../../domain/application';
import { verifiedEmailOf, type Actor } from '../../domain/actor';
import { withVerifiedPiEmail } from '../../machines/notice-addresses';
import { AllianceError } from '../../domain/errors';
import { registrationRecordProblem } from '../../machines/eligibility';
import { callViewFor, type ProjectView } from '../../machines/views';
import type { Services } from './services';
import { listCalls } from './calls';

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
    services
      .bounded('command', () => services.projects.view(id))
      .catch((error: unknown) => {
        if (error instanceof AllianceError && error.code === 'NOT_FOUND') return null;
        throw error;
      });
  // The PI's projects in the calls that answer; a call or project that does not is left to the ledger's
  // record below, so one that is away never refuses an applicant of another call.
  const calls = await services.bounded('command', () => listCalls(services));
  const mine = (
    await Promise.all(
      calls.map(async ({ callId }) => {
        const status = await services.bounded('command', () => services.calls.status(callId)).catch(() => null);
        return status ? callViewFor(actor, status).projects.map((p) => p.projectId) : [];
      }),
    )
  ).flat();
  const piProjects = (await Promise.all(mine.map((id) => view(id).catch(() => null)))).filter((p): p is ProjectView => p !== null);
  // The ledger's record outlives Temporal's retention: a closed call deleted long ago still shows an overdue closing report.
  const recorded = await Promise.resolve()
    .then(() => services.audit().recordedOfPi(actor.id))
    .catch((error: unknown) => {
      // An API process without the ledger (a test's) knows the PI's record from Temporal alone.
      if (error instanceof AllianceError && error.code === 'NOT_FOUND') return [];
      throw error;
    });
  const phase1 = application.phase.phase === 2 ? await view(application.phase.phase1ProjectId) : null;
  const problem = registrationRecordProblem(application, policy, { piProjects, phase1, recorded });
  if (problem) throw new AllianceError('FORBIDDEN', problem);
}

/**
 * The application as the door sends it on: the PI is told at the address the identity provider
 * verified for the account that registers, not at one typed in the form (machines/notice-addresses.ts).
 */
export function addressedByTheDoor<A extends Pick<Application, 'id' | 'institution' | 'pi'>>(actor: Actor, application: A): A {
  const addressed = withVerifiedPiEmail(application, verifiedEmailOf(actor));
  if (!addressed.ok) throw new AllianceError('FORBIDDEN', addressed.problem);
  return addressed.application;
}
