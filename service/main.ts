/**
 * `make start`: the service on its embedded default (a Temporal dev server persisting under the
 * data directory, then the worker), or the worker alone joining the cluster at TEMPORAL_ADDRESS.
 * Stays in the foreground; Ctrl-C stops everything cleanly.
 */
import { ensureCheckpointSchedule } from '../gateway/checkpoint-schedule';
import { checkWorkerStores, ConfigurationError, exitOnStartupFailure, parseEnvironment, retentionProblem, type Environment } from '../domain/environment';
import { retentionPolicy } from '../domain/retention';
import { readRetentionPolicy } from '../activities/retention';
import { retentionDays } from '../worker/namespace';
import { clusterConnectionOptions } from '../gateway/connection-options';
import { Client, Connection } from '@temporalio/client';
import { createActivities } from '../activities';
import { ProjectClient } from '../gateway/projects';
import { openDocumentStore, openStores } from '../activities/stores';
import { connectWorker, createServiceWorker } from '../worker/create-worker';
import { startEmbeddedServer, type EmbeddedServer } from '../worker/embedded-server';
import { startServiceMail } from '../worker/mail';
import { apiUrl, serveApi } from '../server/serve';
import { embeddedIssuer, startIdentityProvider, type IdentityProvider } from '../worker/identity-provider';
import { temporalBinary } from '../worker/temporal-binaries';
import { demoAccountLines } from '../domain/demo-accounts';
import { checkpointPublishing, ensureSweeps, serviceBanner } from './parts';
import { installServiceLogging } from '../worker/logging';
import { serviceKeyRing, textSealer } from '../activities/crypto/key-ring';
import { serviceDataConverter } from '../gateway/payload-codec';
import { tracingFromEnvironment } from '../gateway/tracing';

/** The embedded Temporal dev server, persisting under the data directory. */
function startEmbeddedTemporal(env: Environment): Promise<EmbeddedServer> {
  console.log('Starting the embedded Temporal dev server…');
  return startEmbeddedServer({
    cliPath: temporalBinary('temporal', env.TEMPORAL_CLI_PATH),
    dataDir: env.ALLIANCE_DATA_DIR,
    namespace: env.TEMPORAL_NAMESPACE,
    port: env.TEMPORAL_PORT,
    uiPort: env.TEMPORAL_UI_PORT ?? null,
    retentionDays: env.TEMPORAL_RETENTION_DAYS,
    // The Web UI decodes payloads through the API's codec server, for whoever logged in there.
    codecEndpoint: `${apiUrl(env)}/codec`,
  });
}

/** A cluster's namespace must keep closed histories as long as the archive needs them: refused, or warned of. */
async function checkRetention(
  env: Environment,
  connections: [Awaited<ReturnType<typeof connectWorker>>, Connection],
  identityStarting: Promise<IdentityProvider> | null,
): Promise<void> {
  const [connection, clientConnection] = connections;
  const problem = retentionProblem(env.TEMPORAL_NAMESPACE, await retentionDays(clientConnection, env.TEMPORAL_NAMESPACE), retentionPolicy.temporalMinimumDays);
  if (problem && env.ALLIANCE_RETENTION_CHECK === 'refuse') {
    await Promise.all([connection.close(), clientConnection.close()]);
    await (await identityStarting?.catch(() => null))?.stop();
    throw new ConfigurationError([problem]);
  }
  if (problem) console.warn(`Warning: ${problem.replace(/^ALLIANCE_RETENTION_CHECK: /, '')} (ALLIANCE_RETENTION_CHECK=warn)`);
}

async function main(): Promise<void> {
  const started = Date.now();
  const env = parseEnvironment(process.env);
  checkWorkerStores(env);
  installServiceLogging(env.ALLIANCE_LOG_LEVEL, undefined, env.WORKER_METRICS_ADDRESS);
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
    : startIdentityProvider({
        port: env.KEYCLOAK_PORT,
        dataDir: env.ALLIANCE_DATA_DIR,
        ...(env.KEYCLOAK_JAVA_HOME ? { javaHome: env.KEYCLOAK_JAVA_HOME } : {}),
      });
  identityStarting?.catch(() => undefined);
  if (identityStarting) console.log('Starting the embedded identity provider (Keycloak)…');
  if (!env.TEMPORAL_ADDRESS) embedded = await startEmbeddedTemporal(env);
  const address = embedded?.address ?? env.TEMPORAL_ADDRESS!;
  const connectionOptions = embedded ? { address } : clusterConnectionOptions(env, address);
  const connection = await connectWorker(connectionOptions);
  // Activities that act on other workflows use an ordinary client of the same cluster.
  const clientConnection = await Connection.connect(connectionOptions);
  // With an OTLP endpoint: a command's trace runs from the API's update through the workflow to its activities.
  const tracing = tracingFromEnvironment(env, 'alliance-service');
  const interceptors = tracing?.clientInterceptors;
  const client = new Client({ connection: clientConnection, namespace: env.TEMPORAL_NAMESPACE, dataConverter, ...(interceptors && { interceptors }) });
  if (!embedded) await checkRetention(env, [connection, clientConnection], identityStarting);
  const stores = await openStores(env, textSealer(keys.ring));
  const { ledger } = stores;
  // Payloads the ledger kept before it had keys are sealed now, once.
  const sealedNow = await ledger.sealPlaintextPayloads();
  if (sealedNow > 0) console.log(`Sealed ${sealedNow} ledger payloads kept in plaintext before payload encryption.`);
  const mail = await startServiceMail(env, stores.notices);
  const checkpoints = checkpointPublishing(env, !!embedded);
  const worker = await createServiceWorker({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    dataConverter,
    tracing,
    maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
    activities: createActivities({
      projects: new ProjectClient(client, env.TEMPORAL_TASK_QUEUE),
      client,
      ledger,
      documents,
      mail: mail.deps,
      ...(mail.sinkDir ? { mailSinkDir: mail.sinkDir } : {}),
      retention: readRetentionPolicy(env.ALLIANCE_RETENTION_POLICY_FILE),
      ...(checkpoints ? { checkpoints } : {}),
    }),
  });
  const issuer = env.OIDC_ISSUER ?? embeddedIssuer(env.KEYCLOAK_PORT);
  // The process's /readyz asks for the worker too: it is ready once the worker polls.
  const workerRunning = {
    name: 'worker',
    check: () => (worker.getState() === 'RUNNING' ? Promise.resolve() : Promise.reject(new Error(`the worker is ${worker.getState().toLowerCase()}`))),
  };
  const api = await serveApi(
    env,
    client,
    ledger,
    issuer,
    keys.ring,
    documents,
    checkpoints ? { verifierKey: checkpoints.signing.verifierKey, everyMinutes: env.ALLIANCE_CHECKPOINT_EVERY_MINUTES } : undefined,
    [workerRunning],
  );
  if (checkpoints) await ensureCheckpointSchedule(client, env.TEMPORAL_TASK_QUEUE);
  await ensureSweeps(client, env);
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
    await Promise.all([embedded?.stop(), tracing?.shutdown()]);
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

  const banner = serviceBanner({ env, api, issuer, identity, address, embedded, stores, keys, documents, checkpoints, mail });
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
