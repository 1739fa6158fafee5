import type { Actor, Role } from '../domain/actor';
import type { ProjectEventType } from '../domain/project-events';
import type { DeadlineEvent } from './deadlines';
import { mayReadProject, type ProjectView } from './views';

/** What a person must do next on a project, before when: one line of their to-do list. */
export type TodoItem = {
  projectId: string;
  /** The command that does it (what the page links to and names). */
  command: ProjectEventType;
  /** The deadline it answers, and when it falls (UTC ISO): from the same plan the project's timers keep. */
  deadline: DeadlineEvent;
  due: string;
};

/**
 * Whom each deadline asks, and what answers it: the command whose absence the deadline's timer
 * records. A year's end asks nobody (it turns the year on its own).
 */
const ASKS: Partial<Record<DeadlineEvent, { role: Role; command: ProjectEventType }>> = {
  'deadline.application': { role: 'pi', command: 'application.submit' },
  'deadline.endorsement': { role: 'institution', command: 'endorsement.record' },
  'deadline.writtenReview': { role: 'reviewer', command: 'review.record' },
  'deadline.progressReport': { role: 'pi', command: 'progressReport.submit' },
  'deadline.closingReport': { role: 'pi', command: 'closingReport.submit' },
};

/**
 * The person's to-do items on one project, from its whole view (the workflow's own deadlines, not
 * a page's copy): each pending deadline that asks the person's role, on a project they may read;
 * a reviewer's written review only while they are assigned and have neither recorded nor declined it.
 */
export function todoFor(actor: Actor, view: ProjectView): TodoItem[] {
  if (!mayReadProject(actor, view.context)) return [];
  return view.deadlines.flatMap((deadline) => {
    const asks = ASKS[deadline.event];
    if (!asks || asks.role !== actor.role) return [];
    if (actor.role === 'reviewer' && !stillToReview(actor.id, view)) return [];
    return [{ projectId: view.workflowId, command: asks.command, deadline: deadline.event, due: deadline.at }];
  });
}

const stillToReview = (reviewerId: string, view: ProjectView): boolean =>
  view.context.reviewers.includes(reviewerId) &&
  !view.context.reviews.some((r) => r.reviewerId === reviewerId) &&
  !(view.context.declinedReviews ?? []).some((d) => d.reviewerId === reviewerId);

/** A to-do list in the order people work through it: soonest first. */
export const byDue = (a: TodoItem, b: TodoItem): number => (a.due < b.due ? -1 : a.due > b.due ? 1 : a.projectId < b.projectId ? -1 : 1);
