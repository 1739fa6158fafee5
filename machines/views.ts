import type { Actor } from '../domain/actor';
import type { ProjectEventType } from '../domain/project-events';
import { defaultDisclosure } from '../domain/policy';
import type { Deadline } from './deadlines';
import type { ProjectContext, ReviewRecord } from './project-context';
import { isAnnounced } from './state-names';
import { readableDocuments } from './documents';
import type { AttachedDocument } from './project-context';

/** One accepted transition, for the log query and the audit trail. */
export type TransitionLogEntry = {
  seq: number;
  at: string;
  actor: Actor;
  event: ProjectEventType;
  from: string[];
  to: string[];
};

/** Where a project stands, whole: what the workflow's state query returns to the service. */
export type ProjectView = {
  workflowId: string;
  lifecycle: string;
  /** Every active state as a dotted path, one per region. */
  states: string[];
  done: boolean;
  overdue: boolean;
  projectYear: number;
  deadlines: Deadline[];
  context: ProjectContext;
  /** The transitions recorded so far: the version of this state (the API's ETag). */
  seq?: number;
};

const sees = { everything: new Set(['office', 'auditor']) };

/** Whether the viewer may read this project at all: its PI, its institution, an assigned reviewer, the office, auditors. */
export function mayReadProject(viewer: Actor, context: Pick<ProjectContext, 'application' | 'reviewers'>): boolean {
  switch (viewer.role) {
    case 'office':
    case 'auditor':
      return true;
    case 'pi':
      return context.application.pi.id === viewer.id;
    case 'institution':
      return context.application.institution.id === viewer.id;
    case 'reviewer':
      return context.reviewers.includes(viewer.id);
    case 'system':
      return false;
  }
}

/** Other reviewers are numbered in the order they recorded, never named. */
const anonymous = (index: number): string => `reviewer-${index + 1}`;

function visibleReviews(viewer: Actor, context: ProjectContext, announced: boolean): ReviewRecord[] {
  const disclosure = context.policy.disclosure ?? defaultDisclosure;
  const mask = (review: ReviewRecord, index: number): ReviewRecord => ({
    ...review,
    reviewerId: anonymous(index),
    by: { role: 'reviewer', id: anonymous(index) },
  });
  if (viewer.role === 'reviewer') {
    const ownRecorded = context.reviews.some((r) => r.reviewerId === viewer.id);
    const othersShown = ownRecorded && disclosure.otherReviewsToReviewer === 'afterOwnReview';
    return context.reviews.flatMap((r, i) => (r.reviewerId === viewer.id ? [r] : othersShown ? [mask(r, i)] : []));
  }
  return announced && disclosure.reviewsToApplicant === 'afterAnnouncement' ? context.reviews.map(mask) : [];
}

/**
 * Before the announcement a viewer outside the office sees only that the project is in review: the
 * step it is at would tell an uninvited applicant that it was rejected.
 */
const maskStates = (states: string[], announced: boolean): string[] =>
  announced ? states : [...new Set(states.map((s) => (s.startsWith('review.') ? 'review' : s)))];

/** Steps of the review an applicant could read an early outcome from: the office's until the announcement. */
const hiddenUntilAnnounced = new Set<ProjectEventType>(['decision.record', 'presentation.waive', 'review.close', 'deadline.writtenReview']);
/** Steps that would name a reviewer to the applicant, ever: a reviewer stepping down (a conflict of interest) is the office's to know. */
const neverShownOutside = new Set<ProjectEventType>(['review.decline']);

/** Who authenticated (issuer, subject, session) is for the office and auditors, not for the people they act on. */
const withoutPrincipals = <T>(value: T): T => JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === 'via' ? undefined : v))) as T;

/**
 * What one viewer may read of a project, or null when it is not theirs to read. The office and
 * auditors read everything; the PI and the institution never a reviewer's identity, and scores,
 * comments and the decision only once it is announced (as the call's disclosure policy says); a
 * reviewer their own review, the others' only after recording it. Everything that leaves the
 * service passes through here.
 */
export function projectViewFor(viewer: Actor, view: ProjectView): ProjectView | null {
  const context = view.context;
  if (!mayReadProject(viewer, context)) return null;
  if (sees.everything.has(viewer.role)) return view;
  const announced = isAnnounced(view.lifecycle);
  const disclosed = announced && (context.policy.disclosure ?? defaultDisclosure).reviewsToApplicant === 'afterAnnouncement';
  const presentation =
    context.presentation && !disclosed ? (({ panelScore: _score, comments: _comments, ...rest }) => rest)(context.presentation) : context.presentation;
  return withoutPrincipals({
    ...view,
    states: maskStates(view.states, announced),
    // The written review's deadline goes when a project leaves the round early (rejected, waived): not shown before the announcement.
    deadlines: announced ? view.deadlines : view.deadlines.filter((d) => d.event !== 'deadline.writtenReview'),
    context: {
      ...context,
      reviewers: viewer.role === 'reviewer' ? [viewer.id] : [],
      ...(context.declinedReviews !== undefined && { declinedReviews: [] }),
      reviews: visibleReviews(viewer, context, announced),
      presentation,
      decision: announced ? context.decision : null,
      // A reviewer reads the proposal of an application they review; the applicant side reads all of theirs.
      ...(context.documents !== undefined && { documents: readableDocuments(viewer.role, context) }),
      // A waiver would tell the applicant the step its project is at, like the decision.
      ...(context.presentationWaiver !== undefined && { presentationWaiver: announced ? context.presentationWaiver : null }),
    },
  });
}

/** The document of this digest, if the viewer's view of the project shows it: else nothing, as if it were not there. */
export function documentFor(viewer: Actor, view: ProjectView, digest: string): AttachedDocument | null {
  const shaped = projectViewFor(viewer, view);
  return [...(shaped?.context.documents ?? [])].reverse().find((d) => d.digest === digest) ?? null;
}

/**
 * The transition log as one viewer may read it: reviewers' identities masked for everyone but the
 * office, auditors and the reviewer themself; decision steps hidden until they are announced.
 */
export function transitionLogFor(viewer: Actor, view: Pick<ProjectView, 'lifecycle' | 'context'>, log: TransitionLogEntry[]): TransitionLogEntry[] | null {
  if (!mayReadProject(viewer, view.context)) return null;
  if (sees.everything.has(viewer.role)) return log;
  const announced = isAnnounced(view.lifecycle);
  const reviewerOrder = view.context.reviews.map((r) => r.reviewerId);
  return withoutPrincipals(
    log
      .filter((e) => (announced || !hiddenUntilAnnounced.has(e.event)) && !neverShownOutside.has(e.event))
      .map((e, index) => {
        const masked =
          e.actor.role === 'reviewer' && e.actor.id !== viewer.id
            ? { ...e, actor: { role: 'reviewer' as const, id: anonymous(Math.max(0, reviewerOrder.indexOf(e.actor.id))) } }
            : e;
        // Numbered as this viewer sees them, so a hidden step leaves no gap.
        return { ...masked, seq: index + 1, from: maskStates(masked.from, announced), to: maskStates(masked.to, announced) };
      }),
  );
}

/** The parts of a call's status that are about people and projects, as the call workflow reports them. */
export interface CallReading {
  projects: { applicationId: string; institutionId: string; piId?: string }[];
  rosters: { institutionId: string }[];
  assignments: Record<string, string[]>;
  rounds: { missing: { projectId: string; reviewerId: string }[] }[];
  invited: string[];
  slots: Record<string, string>;
  operations: { by: Actor }[];
  reviewerPool?: unknown[];
  /** The moved deadlines are everyone's to know; who authenticated is not. */
  amendments?: { by: Actor }[];
}

/**
 * A call's status as one viewer may read it: the office and auditors everything; an institution
 * its own applications, roster and operations; a PI their own applications; a reviewer their own
 * assignments. No one outside the office learns who reviews what.
 */
export function callViewFor<T extends CallReading>(viewer: Actor, view: T): T {
  if (sees.everything.has(viewer.role)) return view;
  const mine = (p: CallReading['projects'][number]): boolean => {
    switch (viewer.role) {
      case 'institution':
        return p.institutionId === viewer.id;
      case 'pi':
        return p.piId === viewer.id;
      case 'reviewer':
        return (view.assignments[p.applicationId] ?? []).includes(viewer.id);
      default:
        return false;
    }
  };
  const projects = view.projects.filter(mine);
  const ids = new Set(projects.map((p) => p.applicationId));
  const assignments =
    viewer.role === 'reviewer'
      ? Object.fromEntries(
          Object.entries(view.assignments)
            .filter(([, who]) => who.includes(viewer.id))
            .map(([app]) => [app, [viewer.id]]),
        )
      : {};
  return {
    ...view,
    projects,
    rosters: view.rosters.filter((r) => viewer.role === 'institution' && r.institutionId === viewer.id),
    assignments,
    rounds: view.rounds.map((r) => ({ ...r, missing: r.missing.filter((m) => viewer.role === 'reviewer' && m.reviewerId === viewer.id) })),
    invited: view.invited.filter((id) => ids.has(id)),
    slots: Object.fromEntries(Object.entries(view.slots).filter(([id]) => ids.has(id))),
    operations: view.operations.filter((o) => o.by.role === viewer.role && o.by.id === viewer.id),
    reviewerPool: undefined,
    ...(view.amendments && { amendments: withoutPrincipals(view.amendments) }),
  };
}
