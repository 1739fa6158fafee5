import type { NoticeToSend } from '../notices/delivery';
import { escapeHtml } from '../notices/render';
import { checkpointDue, createCheckpointWriter, type CheckpointPolicy } from './checkpoint-writer';
import type { LogSigning } from './log-signing';
import type { LedgerStore } from './store';

/** Where checkpoints go besides the ledger's own table: all configuration, none of it in code. */
export interface CheckpointPublishing {
  signing: LogSigning;
  policy: CheckpointPolicy;
  /** A directory the operator makes append-only on the host (or another machine's mount). */
  witnessDir?: string;
  /** The auditors' address: each new checkpoint is mailed there, once. */
  auditorsEmail?: string;
}

/**
 * The activity a Temporal schedule runs every minute: signs and publishes a checkpoint when the
 * policy says one is due (so many new leaves, or so long since the last with anything new), and
 * mails it to the auditors — idempotent by size, so a retry or a second worker adds nothing.
 */
export function createCheckpointActivities(deps: { ledger: LedgerStore; publishing?: CheckpointPublishing; send?: (item: NoticeToSend) => Promise<unknown> }) {
  return {
    async writeCheckpointIfDue(): Promise<{ size: number; written: boolean } | null> {
      const publishing = deps.publishing;
      if (!publishing) return null;
      const latest = await deps.ledger.latestCheckpoint();
      const size = (await deps.ledger.leaves()).length;
      if (!checkpointDue(publishing.policy, latest, size, new Date())) return latest ? { size: latest.size, written: false } : null;
      const write = createCheckpointWriter({ ledger: deps.ledger, signer: publishing.signing.signer, origin: publishing.signing.origin, ...(publishing.witnessDir ? { witnessDir: publishing.witnessDir } : {}) });
      const outcome = await write();
      if (!outcome) return null;
      const { checkpoint } = outcome;
      if (publishing.auditorsEmail && deps.send) {
        await deps.send({
          key: `ledger-checkpoint/${publishing.signing.origin}/${checkpoint.size}`,
          to: publishing.auditorsEmail,
          notice: {
            subject: `[Ledger] ${publishing.signing.origin}: checkpoint of ${checkpoint.size} leaves`,
            text: `The audit ledger's signed checkpoint as of ${checkpoint.at}. Keep it: \`alliance audit verify --since\` checks the ledger against it.\n\nVerifier key: ${publishing.signing.verifierKey}\n\n${checkpoint.note}`,
            html: `<p>The audit ledger's signed checkpoint as of ${checkpoint.at}. Keep it: <code>alliance audit verify --since</code> checks the ledger against it.</p><p>Verifier key: <code>${escapeHtml(publishing.signing.verifierKey)}</code></p><pre>${escapeHtml(checkpoint.note)}</pre>`,
          },
        });
      }
      return { size: checkpoint.size, written: true };
    },
  };
}
