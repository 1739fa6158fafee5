// The pieces of `make start` that are configuration, not sequence: where checkpoints are signed and
// published, and the banner that tells the operator what runs where.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Environment } from '../domain/environment';
import type { KeyRing } from '../activities/crypto/key-ring';
import type { CheckpointPublishing } from '../activities/ledger/checkpoint-activity';
import { localLogSigning, readLogSigning } from '../activities/ledger/log-signing';
import type { ServiceStores } from '../activities/stores';
import type { DocumentStore } from '../activities/documents/document-store';
import { renderBanner } from '../worker/banner';
import type { EmbeddedServer } from '../worker/embedded-server';
import type { IdentityProvider } from '../worker/identity-provider';
import type { ServiceMail } from '../worker/mail';
import type { Client } from '@temporalio/client';
import { ensureArchiveSweepSchedule } from '../gateway/archive-sweep-schedule';
import { ensureDigestSchedule } from '../gateway/preferences';
import { ensureRetentionSchedule } from '../gateway/retention-schedule';

/**
 * One key per log: a worker of a cluster signs only with the key file its operators share; the
 * embedded default makes its own in the data directory. Without a key no checkpoint is written.
 */
export function checkpointPublishing(env: Environment, embedded: boolean): CheckpointPublishing | undefined {
  const signing = env.ALLIANCE_LOG_SIGNING_KEY_FILE
    ? readLogSigning(env.ALLIANCE_LOG_SIGNING_KEY_FILE, env.ALLIANCE_LOG_ORIGIN)
    : embedded
      ? localLogSigning(env.ALLIANCE_DATA_DIR, env.ALLIANCE_LOG_ORIGIN)
      : undefined;
  if (!signing) return undefined;
  const witnessDir = env.ALLIANCE_WITNESS_DIR ?? (embedded ? path.join(env.ALLIANCE_DATA_DIR, 'witness') : undefined);
  if (witnessDir) mkdirSync(witnessDir, { recursive: true });
  return {
    signing,
    policy: { everyEntries: env.ALLIANCE_CHECKPOINT_EVERY_ENTRIES, everyMs: env.ALLIANCE_CHECKPOINT_EVERY_MINUTES * 60_000 },
    ...(witnessDir ? { witnessDir } : {}),
    ...(env.ALLIANCE_AUDITORS_EMAIL ? { auditorsEmail: env.ALLIANCE_AUDITORS_EMAIL } : {}),
  };
}

export interface RunningService {
  env: Environment;
  api: { url: string };
  issuer: string;
  identity: IdentityProvider | undefined;
  address: string;
  embedded: EmbeddedServer | undefined;
  stores: ServiceStores;
  keys: { ring: KeyRing; file: string };
  documents: DocumentStore;
  checkpoints: CheckpointPublishing | undefined;
  mail: ServiceMail;
}

/** What runs where, as the banner prints it once everything is up. */
export function serviceBanner({ env, api, issuer, identity, address, embedded, stores, keys, documents, checkpoints, mail }: RunningService): string[] {
  const witnessDir = checkpoints?.witnessDir;
  return renderBanner({
    'Web pages': `${api.url}/web (log in with a demo account below; 中文, English)`,
    API: `${api.url}/api (OpenAPI ${api.url}/openapi.json, browsable ${api.url}/docs; codec server ${api.url}/codec, browser log-in ${api.url}/auth/login)`,
    'Identity provider':
      issuer +
      (identity
        ? ` (embedded Keycloak; admin console ${identity.url}/admin, password in ${path.resolve(env.ALLIANCE_DATA_DIR, 'keycloak', 'admin-password')})`
        : ''),
    'Temporal gRPC': address + (embedded ? ' (embedded dev server)' : ' (external cluster)'),
    Namespace: env.TEMPORAL_NAMESPACE,
    'Task queue': env.TEMPORAL_TASK_QUEUE,
    'Audit ledger': stores.where.ledger,
    'Payload keys': `${path.resolve(keys.file)} (current ${keys.ring.currentId}; payloads reach Temporal encrypted)`,
    Documents: `${documents.where} (long texts and lists by reference, sealed)`,
    ...(checkpoints
      ? {
          Checkpoints: `signed as ${checkpoints.signing.origin}${witnessDir ? ` into ${path.resolve(witnessDir)}` : ''}; verifier key for auditors: ${checkpoints.signing.verifierKey}`,
        }
      : {}),
    Mail: mail.destination,
    'Notice log': stores.where.notices,
    ...(embedded ? { 'Web UI': embedded.uiUrl ?? 'off (TEMPORAL_UI_PORT=8233 starts it, for operators on this host)' } : {}),
    ...(embedded ? { 'Data directory': path.resolve(env.ALLIANCE_DATA_DIR), 'Temporal database': embedded.databaseFile } : {}),
  });
}

/** The service's own schedules: the archive's and retention's sweeps, and the daily digest of reminders. */
export async function ensureSweeps(client: Client, env: Environment): Promise<void> {
  await ensureArchiveSweepSchedule(client, env.TEMPORAL_TASK_QUEUE, env.ALLIANCE_ARCHIVE_SWEEP_MINUTES);
  await ensureRetentionSchedule(client, env.TEMPORAL_TASK_QUEUE, env.ALLIANCE_RETENTION_SWEEP_HOURS);
  await ensureDigestSchedule(client, env.TEMPORAL_TASK_QUEUE, env.ALLIANCE_DIGEST_HOUR);
}
