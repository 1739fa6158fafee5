import type { StateValue } from 'xstate';

/** Flattens a state value to dotted paths: `execution.funding.awaitingFirstTranche`, one per region. */
export function statePaths(value: StateValue): string[] {
  if (typeof value === 'string') return [value];
  return Object.entries(value).flatMap(([key, child]) => (child === undefined ? [key] : statePaths(child).map((p) => `${key}.${p}`)));
}

/** A state value in words for messages: `in execution (funding.awaitingFirstTranche, …)`. */
export function describeState(value: StateValue): string {
  const paths = statePaths(value);
  const top = paths[0]?.split('.')[0] ?? 'unknown';
  const inner = paths.map((p) => p.split('.').slice(1).join('.')).filter(Boolean);
  return inner.length ? `in ${top} (${inner.join(', ')})` : `in ${top}`;
}

/** The top-level lifecycle state, as a search attribute and in tables. */
export function lifecycleState(value: StateValue): string {
  return typeof value === 'string' ? value : (Object.keys(value)[0] ?? 'unknown');
}

/** Lifecycle states reached only once the decision is announced: before it, outcomes are the office's. */
const announcedStates = new Set(['approved', 'contracting', 'execution', 'suspended', 'closing', 'closed', 'rejected', 'terminated']);
export const isAnnounced = (lifecycle: string): boolean => announcedStates.has(lifecycle);
