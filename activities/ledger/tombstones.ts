import { ENDED_STATES, tombstoneKind, Tombstone } from '../../domain/retention';
import { erasedInTime } from '../../machines/retention-plan';
import type { IntegrityProblem } from '../../tlog/reports';
import type { LedgerEntry } from './store';

export type ErasureAccount = { tombstones: number; payloads: Set<string>; archivedRuns: Set<string> } | { problem: IntegrityProblem };

/**
 * What the ledger's tombstones account for, each checked: its payload is kept and is a tombstone,
 * it follows its project's end (the last transition before it ended the project, at the instant the
 * tombstone names) and came no earlier than its period after it. A payload or archived history
 * missing and not named by a tombstone that holds is still reported as removed.
 */
export function checkTombstones(entries: readonly LedgerEntry[], bodies: ReadonlyMap<string, string>): ErasureAccount {
  const payloads = new Set<string>();
  const archivedRuns = new Set<string>();
  const lastOf = new Map<string, LedgerEntry>();
  let tombstones = 0;
  for (const entry of [...entries].sort((a, b) => a.seq - b.seq)) {
    const chain = `${entry.workflowId}\u0000${entry.chainId ?? ''}`;
    if (!tombstoneKind(entry.event)) {
      lastOf.set(chain, entry);
      continue;
    }
    const wrong = (reason: string): ErasureAccount => ({
      problem: {
        check: 'tombstone',
        reason: `tombstone ${entry.seq} (${entry.workflowId}): ${reason}`,
        seq: entry.seq,
        workflowId: entry.workflowId,
        entrySeq: entry.entrySeq,
      },
    });
    const body = bodies.get(entry.payloadDigest);
    if (body === undefined) return wrong('its payload is missing: what it erased cannot be told');
    let parsed;
    try {
      parsed = Tombstone.safeParse(JSON.parse(body));
    } catch {
      return wrong('its payload is not JSON');
    }
    if (!parsed.success || parsed.data.kind !== tombstoneKind(entry.event)) return wrong('its payload is not a tombstone of its kind');
    const tombstone = parsed.data;
    const ended = lastOf.get(chain);
    if (!ended || ended.at !== tombstone.endedAt || !ended.to.some((state) => ENDED_STATES.includes(state)))
      return wrong(
        `it names an end at ${tombstone.endedAt}, but the project's last transition before it ${ended ? `is ${ended.event} at ${ended.at} into ${ended.to.join(', ')}` : 'is missing'}`,
      );
    if (!erasedInTime(entry.at, tombstone.endedAt, tombstone.period))
      return wrong(`it erased at ${entry.at}, before ${tombstone.rule} (${tombstone.period}) had passed since the end at ${tombstone.endedAt}`);
    for (const digest of tombstone.erased.payloads) payloads.add(digest);
    for (const run of tombstone.erased.archivedRuns) archivedRuns.add(`${entry.workflowId}/${run}`);
    tombstones++;
  }
  return { tombstones, payloads, archivedRuns };
}
