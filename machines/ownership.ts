import type { Actor } from '../domain/actor';
import type { Application } from '../domain/application';
import type { ProjectEventType } from '../domain/project-events';
import type { ProjectContext } from './project-context';

/**
 * Whose project it is. The role table says which kind of actor may send a command; this says
 * which one: the PI the application names, the institution it was filed through, a reviewer the
 * office assigned. Pure, beside `judge`, so the workflow, the API and the web pages agree.
 * Returns the reason for a refusal, or null when the actor may act on this project.
 */
export function ownershipProblem(
  context: Pick<ProjectContext, 'application' | 'reviewers'>,
  type: ProjectEventType,
  actor: Actor,
  payload: object,
): string | null {
  const application = context.application;
  switch (actor.role) {
    case 'pi':
      if (actor.id !== application.pi.id)
        return `${type} was refused: application ${application.id} does not name ${actor.id} as its PI; a PI acts only on their own applications.`;
      if (type === 'application.update') return handOverProblem(application, (payload as { application: Application }).application);
      return null;
    case 'institution':
      return actor.id === application.institution.id
        ? null
        : `${type} was refused: application ${application.id} was not filed through institution ${actor.id}; an institution acts only on its own applications.`;
    case 'reviewer':
      return context.reviewers.includes(actor.id)
        ? null
        : `${type} was refused: reviewer ${actor.id} is not assigned to application ${application.id}; a reviewer records only on applications assigned to them.`;
    case 'office':
      return type === 'reviewer.assign' ? conflictProblem(application, payload as AssignPayload) : null;
    case 'system':
    case 'auditor':
      return null;
  }
}

/** An application stays with the PI, institution and division it was registered with: an update cannot hand it over. */
function handOverProblem(current: Application, next: Application): string | null {
  if (next.id !== current.id) return `application.update was refused: the application id is ${current.id} and cannot change.`;
  if (next.pi.id !== current.pi.id)
    return `application.update was refused: the PI of application ${current.id} is ${current.pi.id}; an application cannot be handed to another PI.`;
  if (next.institution.id !== current.institution.id)
    return `application.update was refused: application ${current.id} was filed through ${current.institution.id}; it cannot move to another institution.`;
  // The research office's notices go to the address registered with the application: a PI cannot drop or redirect them.
  if (next.institution.researchOfficeEmail !== current.institution.researchOfficeEmail) {
    return `application.update was refused: the research office of ${current.institution.id} is told at the address registered with application ${current.id}${current.institution.researchOfficeEmail ? ` (${current.institution.researchOfficeEmail})` : ''}; a PI cannot drop or change it.`;
  }
  // The PI is told at the address the identity provider verified when the application was registered.
  if (next.pi.email.toLowerCase() !== current.pi.email.toLowerCase())
    return `application.update was refused: the PI of application ${current.id} is told at the address verified at registration (${current.pi.email}); it follows the account, not the application: change it with the identity provider.`;
  // Its phase was checked against the programme's record when it was registered.
  if (JSON.stringify(next.phase) !== JSON.stringify(current.phase))
    return `application.update was refused: application ${current.id} was registered as phase ${current.phase.phase} with the facts checked then; to change them, withdraw it and register a new application.`;
  // The call registered it under this division: its ranking and reviewer assignment go by it.
  if (next.division !== current.division)
    return `application.update was refused: application ${current.id} was registered in division ${current.division}; to apply in ${next.division}, withdraw it and register a new application.`;
  return null;
}

interface AssignPayload {
  reviewerId: string;
  institutionId?: string;
  conflicts?: { applicationIds?: string[]; institutionIds?: string[] };
}

/** A reviewer never reviews their own institution's application nor one they declared a conflict with. */
function conflictProblem(application: Application, assignment: AssignPayload): string | null {
  const conflicted =
    assignment.institutionId === application.institution.id ||
    (assignment.conflicts?.applicationIds ?? []).includes(application.id) ||
    (assignment.conflicts?.institutionIds ?? []).includes(application.institution.id);
  return conflicted
    ? `reviewer.assign was refused: reviewer ${assignment.reviewerId} has a conflict of interest with application ${application.id} (${application.institution.id}); choose another reviewer.`
    : null;
}

/** Only the PI an application names may register it in a call. */
export function registrationProblem(actor: Actor, application: Pick<Application, 'id' | 'pi'>): string | null {
  return actor.role === 'pi' && actor.id === application.pi.id
    ? null
    : `call.registerApplication was refused: application ${application.id} does not name ${actor.role} ${actor.id} as its PI; only the PI it names may register it.`;
}

/** An institution endorses only its own applicants. */
export function rosterProblem(actor: Actor, application: { applicationId: string; institutionId: string }): string | null {
  return actor.id === application.institutionId
    ? null
    : `Application ${application.applicationId} was not filed through ${actor.id}; an institution may endorse only its own applicants.`;
}
