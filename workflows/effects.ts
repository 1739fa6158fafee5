import { log } from '@temporalio/workflow';
import type { ProjectSnapshot } from '../machines/judge';
import type { TransitionLogEntry } from './project-messages';

/**
 * The one place where a transition's side effects are dispatched. Today: the workflow log (which
 * the worker's logger forwards). Notices (email) and the audit ledger are activities started here.
 */
export function dispatchTransitionEffects(entry: TransitionLogEntry, _before: ProjectSnapshot, _after: ProjectSnapshot): void {
  log.info('project transition', { seq: entry.seq, event: entry.event, actor: `${entry.actor.role}:${entry.actor.id}`, from: entry.from.join(' | '), to: entry.to.join(' | ') });
}
