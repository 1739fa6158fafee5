import { writeFileSync } from 'node:fs';
import path from 'node:path';
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

/** Names one forgery: the published checkpoint it contradicts and what the ledger now holds in its place. */
const forgeryId = (error: LogRewrittenError): string =>
  `${String(error.published.size).padStart(12, '0')}-${error.found.prefixRoot ? error.found.prefixRoot.slice(0, 16) : `truncated-${error.found.size}`}`;

/** What the auditors are told, in the mail and the witness directory: the tree head published and the one found. */
function rewriteReport(error: LogRewrittenError, at: string): string {
  const { published, found } = error;
  return [
    `At ${at} the checkpoint writer found that the ledger's tree does not extend the checkpoint it published last, and signed nothing.`,
    `published: ${published.size} leaves, root ${published.root}`,
    `found:     ${found.size} leaves, root ${found.root}`,
    found.prefixRoot
      ? `found, its first ${published.size} leaves: root ${found.prefixRoot} (the published root was ${published.root})`
      : `found: fewer leaves than published (${found.size} < ${published.size})`,
    '',
    error.message,
    'Check the ledger with alliance audit verify --since and the last checkpoint you kept.',
    '',
  ].join('\n');
}

/** The refusal, as a read-only file in the witness directory (out of the database's reach): once per forgery. */
function witnessRewrite(witnessDir: string, error: LogRewrittenError, at: string): void {
  try {
    writeFileSync(path.join(witnessDir, `rewritten-${forgeryId(error)}.txt`), rewriteReport(error, at), { flag: 'wx', mode: 0o444 });
  } catch (failure) {
    // Written at an earlier tick: the same published checkpoint, the same forgery.
    if ((failure as NodeJS.ErrnoException).code !== 'EEXIST') throw failure;
  }
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

  /** Tells the auditors, outside the database, that the writer refused to sign: once per published checkpoint and forgery. */
  const mailRewrite = async (publishing: CheckpointPublishing, error: LogRewrittenError, at: string): Promise<void> => {
    if (!publishing.auditorsEmail || !deps.send) return;
    const text = rewriteReport(error, at);
    await deps.send({
      key: `ledger-rewritten/${publishing.signing.origin}/${forgeryId(error)}`,
      to: publishing.auditorsEmail,
      notice: {
        subject: `[Ledger] ${publishing.signing.origin}: the ledger no longer extends the checkpoint of ${error.published.size} leaves; nothing signed`,
        text,
        html: `<pre>${escapeHtml(text)}</pre>`,
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
          // Never signed: the office is told, every tick, until the ledger is put right; and, since an
          // alert in the ledger's own database is as easy to delete as an entry, so are the auditors and
          // the witness directory, once per forgery.
          const at = new Date().toISOString();
          await deps.ledger.raiseAlert({
            key: `ledger/rewritten/${size}`,
            kind: 'ledgerRewritten',
            subject: 'Ledger: the tree no longer extends the published checkpoint; no checkpoint signed',
            detail: error.message,
            at,
          });
          if (publishing.witnessDir) witnessRewrite(publishing.witnessDir, error, at);
          await mailRewrite(publishing, error, at);
          return { size, written: false, refused: error.message };
        }
      }
      if (!current) return null;
      await mail(publishing, current);
      return { size: current.size, written };
    },
  };
}
