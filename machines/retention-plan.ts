import { addDuration } from '../domain/duration';
import { byCodePoint } from '../domain/order';
import { FUNDED_ENDS, UNFUNDED_ENDS, type ErasureKind, type RetentionPolicy } from '../domain/retention';

/** A project as the ledger's read model knows it: its state and the instant of its last transition. */
export interface EndedProject {
  workflowId: string;
  state: string;
  /** The instant of its last transition (not a tombstone): for an ended project, its end. */
  endedAt: string;
}

export interface Erasure {
  workflowId: string;
  kind: ErasureKind;
  /** The policy's rule, as the tombstone names it. */
  rule: string;
  period: string;
  endedAt: string;
  endedIn: string;
  /** When it fell due: the end plus the period. */
  due: string;
}

const longest = (periods: readonly string[], from: string): { period: string; due: Date } =>
  periods.map((period) => ({ period, due: addDuration(from, period) })).reduce((a, b) => (b.due.getTime() > a.due.getTime() ? b : a));

/**
 * The rules an ended project is kept under: a funded file (closed, terminated) by `afterClose`, an
 * application that ended without a grant by `afterUnfunded`; a project still running by none.
 * Personal data sits in the same payloads and histories whatever its kind (an application's text,
 * a review, a report), so it goes when the longest of its kinds' periods has passed.
 */
export function rulesFor(policy: RetentionPolicy, project: EndedProject): Omit<Erasure, 'workflowId' | 'endedAt' | 'endedIn' | 'due'>[] {
  const funded = (FUNDED_ENDS as readonly string[]).includes(project.state);
  const unfunded = (UNFUNDED_ENDS as readonly string[]).includes(project.state);
  if (!funded && !unfunded) return [];
  const block = funded ? 'afterClose' : 'afterUnfunded';
  const periods = funded ? policy.afterClose : policy.afterUnfunded;
  // The archive first: a rule shared by several kinds is named by the one that holds them all.
  const kinds: readonly string[] = funded ? ['archive', 'application', 'reviews', 'reports'] : ['archive', 'application', 'reviews'];
  const period = (kind: string): string => (periods as Record<string, string>)[kind]!;
  const personal = longest(kinds.map(period), project.endedAt);
  const named = kinds.find((kind) => period(kind) === personal.period)!;
  return [
    { kind: 'notices', rule: `${block}.notices`, period: periods.notices },
    { kind: 'personal-data', rule: `${block}.${named}`, period: personal.period },
  ];
}

/**
 * What falls due by `now`: each ended project's erasures whose period has passed and that no
 * tombstone records yet (`done`: `workflowId kind`). Pure: the sweep reads the ledger, asks this,
 * and erases what it says, oldest first.
 */
export function retentionPlan(policy: RetentionPolicy, projects: readonly EndedProject[], done: ReadonlySet<string>, now: Date): Erasure[] {
  const due: Erasure[] = [];
  for (const project of projects) {
    for (const rule of rulesFor(policy, project)) {
      if (done.has(`${project.workflowId} ${rule.kind}`)) continue;
      const at = addDuration(project.endedAt, rule.period);
      if (at.getTime() > now.getTime()) continue;
      due.push({ ...rule, workflowId: project.workflowId, endedAt: project.endedAt, endedIn: project.state, due: at.toISOString() });
    }
  }
  return due.sort((a, b) => byCodePoint(a.due, b.due) || byCodePoint(a.workflowId, b.workflowId));
}

/** Whether a tombstone's erasure came no earlier than its rule allowed (what verify checks). */
export const erasedInTime = (tombstoneAt: string, endedAt: string, period: string): boolean =>
  new Date(tombstoneAt).getTime() >= addDuration(endedAt, period).getTime();
