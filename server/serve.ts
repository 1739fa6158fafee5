import type { Client } from '@temporalio/client';
import type { LedgerStore } from '../activities/ledger/store';
import type { DocumentStore } from '../activities/documents/document-store';
import type { PublishedLog } from '../gateway/published-checkpoint';
import type { Environment } from '../domain/environment';
import { buildApi } from './app';
import type { ReadinessCheck } from './routes/health';
import { apiLogging } from './logging';
import { textSealer, type KeyRing } from '../activities/crypto/key-ring';
import { openSessionStore } from '../activities/stores';
import { createTokenVerifier, parseRoleValues } from './authentication';

export interface ServingApi {
  url: string;
  close(): Promise<void>;
}

/** Starts the HTTP API on API_HOST:API_PORT, accepting the tokens of `issuer` as the environment's claim mapping says. */
export async function serveApi(
  env: Environment,
  client: Client,
  ledger: LedgerStore | null,
  issuer: string,
  ring: KeyRing,
  documents: DocumentStore,
  log?: PublishedLog,
  /** What else /readyz asks: the worker, where one runs in this process. */
  readiness: readonly ReadinessCheck[] = [],
): Promise<ServingApi> {
  const roleValues = parseRoleValues(env.OIDC_ROLE_VALUES);
  const webUiOrigins =
    env.TEMPORAL_UI_ORIGINS?.split(',') ??
    (env.TEMPORAL_UI_PORT ? [`http://127.0.0.1:${env.TEMPORAL_UI_PORT}`, `http://localhost:${env.TEMPORAL_UI_PORT}`] : []);
  // Browser sessions live in the shared store, so log-out ends them on every replica at once.
  const sessions = await openSessionStore(env, textSealer(ring));
  const app = await buildApi({
    client,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    ledger,
    ...(log ? { log } : {}),
    verify: createTokenVerifier({
      issuer,
      audience: env.OIDC_AUDIENCE,
      roleClaim: env.OIDC_ROLE_CLAIM,
      idClaim: env.OIDC_ID_CLAIM,
      ...(roleValues ? { roleValues } : {}),
    }),
    login: { issuer, cliClientId: env.OIDC_CLI_CLIENT_ID, audience: env.OIDC_AUDIENCE },
    logging: apiLogging(env.ALLIANCE_LOG_LEVEL),
    readiness,
    documents,
    limits: { commandsPerMinute: env.ALLIANCE_COMMANDS_PER_MINUTE, loginsPerMinute: env.ALLIANCE_LOGINS_PER_MINUTE },
    browser: {
      ring,
      sessions,
      webClientId: env.OIDC_WEB_CLIENT_ID,
      webUiOrigins,
      sessionRefreshMs: env.ALLIANCE_SESSION_REFRESH_SECONDS * 1000,
      ...(env.API_PUBLIC_URL ? { publicUrl: env.API_PUBLIC_URL } : {}),
    },
  });
  await app.listen({ host: env.API_HOST, port: env.API_PORT });
  return { url: apiUrl(env), close: () => app.close().finally(() => sessions.close()) };
}

/** Where browsers and the command line reach the API. */
export function apiUrl(env: Environment): string {
  return env.API_PUBLIC_URL?.replace(/\/$/, '') ?? `http://${env.API_HOST.includes(':') ? `[${env.API_HOST}]` : env.API_HOST}:${env.API_PORT}`;
}
