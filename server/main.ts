/**
 * The HTTP API alone, for more replicas behind a load balancer: it holds the service's Temporal
 * credentials and nothing else (TEMPORAL_ADDRESS, OIDC_ISSUER required; the ledger read-only).
 */
import { existsSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { openDocumentStore, openLedgerForReading } from '../activities/stores';
import { clusterConnectionOptions } from '../gateway/connection-options';
import { ConfigurationError, exitOnStartupFailure, parseEnvironment } from '../domain/environment';
import { serveApi } from './serve';
import { serviceKeyRing, textSealer } from '../activities/crypto/key-ring';
import { serviceDataConverter } from '../gateway/payload-codec';
import { tracingFromEnvironment } from '../gateway/tracing';

async function main(): Promise<void> {
  const env = parseEnvironment(process.env);
  const address = env.TEMPORAL_ADDRESS ?? `127.0.0.1:${env.TEMPORAL_PORT}`;
  if (!env.OIDC_ISSUER)
    throw new ConfigurationError([
      'OIDC_ISSUER: expected the OpenID provider of the tokens this API accepts, e.g. https://login.example.gov.tw/realms/alliance',
    ]);
  const connection = await Connection.connect(env.TEMPORAL_ADDRESS ? clusterConnectionOptions(env, address) : { address });
  const { ring } = serviceKeyRing(env);
  const documents = await openDocumentStore(env, ring);
  // With an OTLP endpoint, each command's start or update opens the trace its workflow and activities join.
  const tracing = tracingFromEnvironment(env, 'alliance-api');
  const client = new Client({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    dataConverter: serviceDataConverter(ring, documents),
    ...(tracing && { interceptors: tracing.clientInterceptors }),
  });
  const ledger = await openLedgerForReading(env, existsSync, textSealer(ring));
  // The API holds no signing key: it hands out what the checkpoint writer published, with the public verifier key.
  const log = env.ALLIANCE_LOG_VERIFIER_KEY ? { verifierKey: env.ALLIANCE_LOG_VERIFIER_KEY, everyMinutes: env.ALLIANCE_CHECKPOINT_EVERY_MINUTES } : undefined;
  const api = await serveApi(env, client, ledger, env.OIDC_ISSUER, ring, documents, log);
  console.log(`Alliance API on ${api.url} (OpenAPI ${api.url}/openapi.json), tokens of ${env.OIDC_ISSUER}`);
  const stop = (): void =>
    void api
      .close()
      .then(() => connection.close())
      .then(() => tracing?.shutdown())
      .finally(() => void ledger?.close().finally(() => void documents.close()));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch(exitOnStartupFailure);
