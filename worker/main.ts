/**
 * `make start`: the service on its embedded default (a Temporal dev server persisting under the
 * data directory, then the worker), or the worker alone joining the cluster at TEMPORAL_ADDRESS.
 * Stays in the foreground; Ctrl-C stops everything cleanly.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ensureCheckpointSchedule } from '../activities/temporal/checkpoint-schedule';
import { ensureArchiveSweepSchedule } from '../activities/temporal/archive-sweep-schedule';
import { checkWorkerStores, ConfigurationError, exitOnStartupFailure, parseEnvironment, retentionProblem } from '../domain/environment';
import { retentionPolicy } from '../domain/retention';
import { retentionDays } from './namespace';
import { clusterConnectionOptions } from '../activities/temporal/connection-options';
import { Client, Connection } from '@temporalio/client';
import { createActivities } from '../activities';
import { ProjectClient } from '../activities/temporal/projects';
import { openDocumentStore, openStores } from '../activities/stores';
import { localLogSigning, readLogSigning } from '../activities/ledger/log-signing';
import { connectWorker, createServiceWorker } from './create-worker';
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server';
import { startServiceMail } from './mail';
import { apiUrl, serveApi } from '../server/serve';
import { embeddedIssuer, startIdentityProvider, type IdentityProvider } from './identity-provider';
import { temporalBinary } from './temporal-binaries';
import { demoAccountLines } from './demo-accounts';
import { renderBanner } from './banner';
import { installServiceLogging } from './logging';
import { serviceKeyRing, textSealer } from '../activities/crypto/key-ring';
import { serviceDataConverter } from '../activities/temporal/payload-codec';

async function main(): Promise<void> {
  const started = Date.now();
  const env = parseEnvironment(process.env);
  checkWorkerStores(env);
  installServiceLogging(env.ALLIANCE_LOG_LEVEL);
  // Payloads are encrypted before they leave this process: the keys are read before anything starts.
  const keys = serviceKeyRing(env);
  // Long documents go to the document store by reference: it opens before any client or worker.
  const documents = await openDocumentStore(env, keys.ring);
  const dataConverter = serviceDataConverter(keys.ring, documents);
  let embedded: EmbeddedServer | undefined;
  let identity: IdentityProvider | undefined;
  // Keycloak builds itself for half a minute: it starts while Temporal, the worker and the API do,
  // and nothing waits for it but the log-ins (the API checks tokens against it when they come).
  const identityStarting = env.OIDC_ISSUER
    ? null
    : startIdentityProvider({ port: env.KEYCLOAK_PORT, dataDir: env.ALLIANCE_DATA_DIR, ...(env.KEYCLOAK_JAVA_HOME ? { javaHome: env.KEYCLOAK_JAVA_HOME } : {}) });
  identityStarting?.catch(() => undefined);
  if (identityStarting) console.log('Starting the embedded identity provider (Keycloak)…');
  if (!env.TEMPORAL_ADDRESS) {
    console.log('Starting the embedded Temporal dev server…');
    embedded = await startEmbeddedServer({
      cliPath: temporalBinary('temporal', env.TEMPORAL_CLI_PATH),
      dataDir: env.ALLIANCE_DATA_DIR,
      namespace: env.TEMPORAL_NAMESPACE,
      port: env.TEMPORAL_PORT,
      uiPort: env.TEMPORAL_UI_PORT,
      retentionDays: env.TEMPORAL_RETENTION_DAYS,
      // The Web UI decodes payloads through the API's codec server, for whoever logged in there.
      codecEndpoint: `${apiUrl(env)}/codec`,
    });
  }
  const address = embedded?.address ?? env.TEMPORAL_ADDRESS!;
  const connectionOptions = embedded ? { address } : clusterConnectionOptions(env, address);
  const connection = await connectWorker(connectionOptions);
  // Activities that act on other workflows use an ordinary client of the same cluster.
  const clientConnection = await Connection.connect(connectionOptions);
  const client = new Client({ connection: clientConnection, namespace: env.TEMPORAL_NAMESPACE, dataConverter });
  if (!embedded) {
    const problem = retentionProblem(env.TEMPORAL_NAMESPACE, await retentionDays(clientConnection, env.TEMPORAL_NAMESPACE), retentionPolicy.temporalMinimumDays);
    if (problem && env.ALLIANCE_RETENTION_CHECK === 'refuse') {
      await Promise.all([connection.close(), clientConnection.close()]);
      await (await identityStarting?.catch(() => null))?.stop();
      throw new ConfigurationError([problem]);
    }
    if (problem) console.warn(`Warning: ${problem.replace(/^ALLIANCE_RETENTION_CHECK: /, '')} (ALLIANCE_RETENTION_CHECK=warn)`);
  }
  const stores = await openStores(env, textSealer(keys.ring));
  const { ledger } = stores;
  // Payloads the ledger kept before it had keys are sealed now, once.
  const sealedNow = await ledger.sealPlaintextPayloads();
  if (sealedNow > 0) console.log(`Sealed ${sealedNow} ledger payloads kept in plaintext before payload encryption.`);
  const mail = await startServiceMail(env, stores.notices);
  // One key per log: a worker of a cluster signs only with the key file its operators share; the
  // embedded default makes its own in the data directory.
  const signing = env.ALLIANCE_LOG_SIGNING_KEY_FILE
    ? readLogSigning(env.ALLIANCE_LOG_SIGNING_KEY_FILE, env.ALLIANCE_LOG_ORIGIN)
    : embedded ? localLogSigning(env.ALLIANCE_DATA_DIR, env.ALLIANCE_LOG_ORIGIN) : undefined;
  const witnessDir = env.ALLIANCE_WITNESS_DIR ?? (embedded ? path.join(env.ALLIANCE_DATA_DIR, 'witness') : undefined);
  if (witnessDir) mkdirSync(witnessDir, { recursive: true });
  const checkpoints = signing && {
    signing, policy: { everyEntries: env.ALLIANCE_CHECKPOINT_EVERY_ENTRIES, everyMs: env.ALLIANCE_CHECKPOINT_EVERY_MINUTES * 60_000 },
    ...(witnessDir ? { witnessDir } : {}), ...(env.ALLIANCE_AUDITORS_EMAIL ? { auditorsEmail: env.ALLIANCE_AUDITORS_EMAIL } : {}),
  };
  const worker = await createServiceWorker({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    dataConverter,
    activities: createActivities({ projects: new ProjectClient(client, env.TEMPORAL_TASK_QUEUE), client, ledger, mail: mail.deps, ...(checkpoints ? { checkpoints } : {}) }),
  });
  const issuer = env.OIDC_ISSUER ?? embeddedIssuer(env.KEYCLOAK_PORT);
  const api = await serveApi(env, client, ledger, issuer, keys.ring, signing);
  if (checkpoints) await ensureCheckpointSchedule(client, env.TEMPORAL_TASK_QUEUE);
  await ensureArchiveSweepSchedule(client, env.TEMPORAL_TASK_QUEUE, env.ALLIANCE_ARCHIVE_SWEEP_MINUTES);
  const running = worker.run();
  console.log(`Worker polling ${env.TEMPORAL_TASK_QUEUE} ${((Date.now() - started) / 1000).toFixed(1)} s after start.`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping: worker first, then the embedded servers…');
    worker.shutdown();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const release = async (): Promise<void> => {
    await api.close();
    await connection.close();
    await clientConnection.close();
    await mail.stop();
    await stores.close();
    await documents.close();
    await embedded?.stop();
    await (identity ?? (await identityStarting?.catch(() => null)))?.stop();
  };
  try {
    identity = (await identityStarting) ?? undefined;
  } catch (error) {
    stop();
    await running.catch(() => undefined);
    await release();
    throw error;
  }

  const banner = renderBanner({
    'Web pages': `${api.url}/web (log in with a demo account below; 中文, English)`,
    API: `${api.url}/api (OpenAPI ${api.url}/openapi.json, browsable ${api.url}/docs; codec server ${api.url}/codec, browser log-in ${api.url}/auth/login)`,
    'Identity provider': issuer + (identity ? ` (embedded Keycloak; admin console ${identity.url}/admin, password in ${path.resolve(env.ALLIANCE_DATA_DIR, 'keycloak', 'admin-password')})` : ''),
    'Temporal gRPC': address + (embedded ? ' (embedded dev server)' : ' (external cluster)'),
    Namespace: env.TEMPORAL_NAMESPACE,
    'Task queue': env.TEMPORAL_TASK_QUEUE,
    'Audit ledger': stores.where.ledger,
    'Payload keys': `${path.resolve(keys.file)} (current ${keys.ring.currentId}; payloads reach Temporal encrypted)`,
    Documents: `${documents.where} (long texts and lists by reference, sealed)`,
    ...(checkpoints ? { Checkpoints: `signed as ${checkpoints.signing.origin}${witnessDir ? ` into ${path.resolve(witnessDir)}` : ''}; verifier key for auditors: ${checkpoints.signing.verifierKey}` } : {}),
    Mail: mail.destination,
    'Notice log': stores.where.notices,
    ...(embedded?.uiUrl ? { 'Web UI': embedded.uiUrl } : {}),
    ...(embedded ? { 'Data directory': path.resolve(env.ALLIANCE_DATA_DIR), 'Temporal database': embedded.databaseFile } : {}),
  });
  for (const line of banner) console.log(line);
  if (identity) for (const line of demoAccountLines()) console.log(line);
  console.log(`Log in from the command line: ALLIANCE_API_URL=${api.url} npx alliance login`);
  console.log('Press Ctrl-C to stop.');
  try {
    await running;
  } finally {
    await release();
    console.log('Stopped.');
  }
}

main().catch(exitOnStartupFailure);
