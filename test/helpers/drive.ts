import type { ProjectEventType } from '../../domain/project-events';
import { apply, judge, type ProjectSnapshot } from '../../machines/judge';
import { anEvent } from '../fixtures/project-events';

/** A step: an event type with its sample payload, or with this payload (and this time). */
export type Step = ProjectEventType | [ProjectEventType, Record<string, unknown>?, string?];

/** Sends each step through the judge, as the workflow would, and applies it; a refusal fails the test. */
export function drive(snapshot: ProjectSnapshot, steps: readonly Step[]): ProjectSnapshot {
  return steps.reduce((current, step) => {
    const [type, payload, at] = typeof step === 'string' ? [step, undefined, undefined] : step;
    const { type: t, actor, at: defaultAt, ...defaults } = anEvent(type);
    const verdict = judge(current, { type: t, actor, payload: payload ?? defaults }, at ?? defaultAt);
    if (!verdict.ok) throw new Error(`${type} refused: ${verdict.message}`);
    return apply(current, verdict.event);
  }, snapshot);
}

/** From a draft to year 1 of execution, every step with its sample payload. */
export const toExecution: ProjectEventType[] = [
  'application.submit',
  'endorsement.record',
  'review.start',
  'reviewer.assign',
  'review.record',
  'presentation.invite',
  'presentation.schedule',
  'presentation.record',
  'decision.record',
  'decision.announce',
  'contract.issue',
  'contract.sign',
  'consent.sign',
];
