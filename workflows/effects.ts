import { log } from '@temporalio/workflow';
import type { ProjectSnapshot } from '../machines/judge';
import type { TransitionLogEntry } from '../messages/project';

/**
 * The log line of every transition (the worker's logger forwards it). The transition's other
 * effects sit beside this call in the workflow's `record`: the audit trail (audit-trail.ts) and
 * the e-mail notices (notifier.ts), each behind its own patch.
 */
export function dispatchTransitionEffects(entry: TransitionLogEntry, _before: ProjectSnapshot, _after: ProjectSnapshot): void {
  log.info('project transition', {
    seq: entry.seq,
    event: entry.event,
    actor: `${entry.actor.role}:${entry.actor.id}`,
    from: entry.from.join(' | '),
    to: entry.to.join(' | '),
  });
}
