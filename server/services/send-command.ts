import type { Actor } from '../../domain/actor';
import { AllianceError, errorCodes, type ErrorCode } from '../../domain/errors';
import { projectWorkflowId } from '../../domain/ids';
import type { ProjectEventType, ProjectPayload } from '../../domain/project-events';
import { checkPayloadAndRole } from '../../machines/judge';
import type { CommandResult } from '../../messages/project';
import type { OperationRecord } from '../../messages/call';
import type { Services } from './services';
import { refusalCodes } from '../../gateway/projects';

/**
 * The project commands whose facts the call keeps (its rosters, its reviewers' assignments and who
 * stepped down, its invitations, from which it plans rounds, missing reviews, slots and the announcement). Whichever
 * door they come in by, they go through the call's own command, so the call and the project
 * cannot part: one writer per fact.
 */
const throughTheCall: readonly ProjectEventType[] = ['endorsement.record', 'reviewer.assign', 'review.decline', 'presentation.invite'];

/** The call's one-project operation as a command's answer: the project's refusal as the project would have given it. */
async function answerOf(services: Services, projectId: string, record: OperationRecord): Promise<CommandResult> {
  const unreachable = record.unreachable?.[0];
  if (unreachable) throw new AllianceError('NOT_REACHABLE', `${projectId} did not answer: ${unreachable.reason}; try again in a moment.`);
  const skipped = record.skipped[0];
  if (skipped) {
    const code = skipped.code && skipped.code in errorCodes ? (skipped.code as ErrorCode) : 'ILLEGAL_TRANSITION';
    throw new AllianceError(code, skipped.reason);
  }
  const view = await services.bounded('command', () => services.projects.view(projectId));
  return { lifecycle: view.lifecycle, states: view.states, projectYear: view.context.projectYear };
}

/**
 * Sends one person's command to a project, as the API and the web pages both do: a command the
 * call keeps goes through the call; every other one straight to the project. Either way the
 * project's law decides.
 */
export async function sendProjectCommand<T extends ProjectEventType>(
  services: Services,
  callId: string,
  applicationId: string,
  type: T,
  actor: Actor,
  payload: ProjectPayload<T>,
  options: {
    /** The command's update id (an Idempotency-Key): sent again under it, it acts once. */
    updateId?: string | undefined;
    /** The transitions the sender saw (If-Match): refused if the project has moved since. */
    ifMatch?: number | undefined;
  } = {},
): Promise<CommandResult> {
  const { updateId, ifMatch } = options;
  const projectId = projectWorkflowId(callId, applicationId);
  const sendOptions = { ...(updateId ? { updateId } : {}), ...(ifMatch === undefined ? {} : { ifMatch }) };
  if (!throughTheCall.includes(type)) return services.bounded('command', () => services.projects.send(projectId, type, actor, payload, sendOptions));
  // The two checks that need no state, first: a malformed or wrong-role command never reaches the call.
  const checked = checkPayloadAndRole(type, actor, payload, { fromOutside: true });
  if (!checked.ok) throw new AllianceError(refusalCodes[checked.code]!, checked.message, checked.details);
  const body = checked.payload as Record<string, string> & { conflict?: boolean };
  // The call sends the project its command: the state the sender saw is checked first, here.
  if (ifMatch !== undefined) {
    const seq = (await services.bounded('command', () => services.projects.view(projectId))).seq;
    if (seq !== ifMatch)
      throw new AllianceError('STALE', `${type} was refused: the project has had ${seq ?? 'other'} transitions since the ${ifMatch} you saw; read it again.`);
  }
  const calls = services.calls.idempotent(updateId);
  const record = await services.bounded('bulk', () => {
    switch (type) {
      case 'endorsement.record':
        return calls.submitRoster(callId, actor, {
          rosterId: body.rosterId!,
          letterReference: body.letterReference!,
          applicationIds: [applicationId],
        });
      case 'reviewer.assign':
        return calls.assignReviewer(callId, actor, { applicationId, reviewerId: body.reviewerId! });
      case 'review.decline':
        return calls.declineReview(callId, actor, { applicationId, reason: body.reason!, conflict: body.conflict === true });
      default:
        return calls.invitePresentations(callId, actor, { applicationIds: [applicationId] });
    }
  });
  return answerOf(services, projectId, record);
}
