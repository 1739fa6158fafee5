// The last status read of each running call, kept under the version of the call that Temporal
// gives (its run's id and the length of its history). The office's dashboard and `/api/me` read
// the open call's status at every request: through a query, that is the call's whole view (a
// thousand applications in a review) answered on the worker's workflow thread, which is busiest
// exactly while a review's work runs (docs/performance.md, "The programme at scale").
import type { CallView } from '../messages/call';

/**
 * A call's version: any change of its state is at least one more event in its run's history (a
 * query writes none), and a continued or reset call is a new run. A version read before a query
 * is never newer than the state the query answers with: the server answers a query only after the
 * events already in history (a pending workflow task runs first), so a view kept under it is never
 * older than the call was at that version.
 */
export function callVersion(run: { runId: string; historyLength: number }): string | undefined {
  // A server that does not say how long the history is (0) gives no version: every read is a query.
  return run.historyLength > 0 ? `${run.runId}#${run.historyLength}` : undefined;
}

/** Freezes a view and everything in it: one object answers many requests, none may change it for the others. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** The views of the calls read lately, each under its version; the least recently read goes first past `capacity`. */
export class CallStatusCache {
  private readonly views = new Map<string, { version: string; view: CallView }>();
  /** Reads answered here, and reads that went to the call: what the scale run prints. */
  readonly counts = { kept: 0, queried: 0 };

  constructor(private readonly capacity = 32) {}

  /** The call's view as read at `version`, if that is the version kept. */
  get(callId: string, version: string | undefined): CallView | undefined {
    const kept = this.views.get(callId);
    if (!version || kept?.version !== version) {
      this.counts.queried++;
      return undefined;
    }
    this.views.delete(callId);
    this.views.set(callId, kept);
    this.counts.kept++;
    return kept.view;
  }

  /** Keeps the view read at `version` (frozen: it answers later readers as it is). */
  set(callId: string, version: string | undefined, view: CallView): CallView {
    if (!version) return view;
    this.views.delete(callId);
    this.views.set(callId, { version, view: deepFreeze(view) });
    while (this.views.size > this.capacity) this.views.delete(this.views.keys().next().value!);
    return view;
  }
}
