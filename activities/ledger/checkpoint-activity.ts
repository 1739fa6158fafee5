import type { NoticeToSend } from '../notices/delivery';
import { escapeHtml } from '../notices/render';
import { checkpointDue, createCheckpointWriter, LogRewrittenError, type CheckpointPolicy } from './checkpoint-writer';
import type { LogSigning } from './log-signing';
import type { LedgerStore, StoredCheckpoint } from './store';

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
  /** Mails a checkpoint to the auditors; idempotent by its size, so a tick after a failed send sends it then. */
  const mail = async (publishing: CheckpointPublishing, checkpoint: StoredCheckpoint): Promise<void> => {
    if (!publishing.auditorsEmail || !deps.send) return;
    await deps.send({
      key: `ledger-checkpoint/${publishing.signing.origin}/${checkpoint.size}`,
      to: publishing.auditorsEmail,
      notice: {
        subject: `[Ledger] ${publishing.signing.origin}: checkpoint of ${checkpoint.size} leaves`,
        text: `The audit ledger's signed checkpoint as of ${checkpoint.at}. Keep it: \`alliance audit verify --since\` checks the ledger against it.\n\nVerifier key: ${publishing.signing.verifierKey}\n\n${checkpoint.note}`,
        html: `<p>The audit ledger's signed checkpoint as of ${checkpoint.at}. Keep it: <code>alliance audit verify --since</code> checks the ledger against it.</p><p>Verifier key: <code>${escapeHtml(publishing.signing.verifierKey)}</code></p><pre>${escapeHtml(checkpoint.note)}</pre>`,
      },
    });
  };

  return {
    async writeCheckpointIfDue(): Promise<{ size: number; written: boolean; refused?: string } | null> {
      const publishing = deps.publishing;
      if (!publishing) return null;
      let current = await deps.ledger.latestCheckpoint();
      const size = (await deps.ledger.leaves()).length;
      let written = false;
      if (checkpointDue(publishing.policy, current, size, new Date())) {
        const write = createCheckpointWriter({
          ledger: deps.ledger,
          signer: publishing.signing.signer,
          origin: publishing.signing.origin,
          ...(publishing.witnessDir ? { witnessDir: publishing.witnessDir } : {}),
        });
        try {
          const outcome = await write();
          if (outcome) ({ checkpoint: current, written } = outcome);
        } catch (error) {
          if (!(error instanceof LogRewrittenError)) throw error;
          // Never signed: the office is told, every tick, until the ledger is put right.
          await deps.ledger.raiseAlert({
            key: `ledger/rewritten/${size}`,
            kind: 'ledgerRewritten',
            subject: 'Ledger: the tree no longer extends the published checkpoint; no checkpoint signed',
            detail: error.message,
            at: new Date().toISOString(),
          });
          return { size, written: false, refused: error.message };
        }
      }
      if (!current) return null;
      await mail(publishing, current);
      return { size: current.size, written };
    },
  };
}
