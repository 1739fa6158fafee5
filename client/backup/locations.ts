// Where the service keeps what a backup set holds, read from the same environment `make start` reads:
// the same rules as activities/stores.ts (ledger, notice log, documents), service/parts.ts (witness
// directory, signing key) and activities/crypto/key-ring.ts (payload keys), kept in step with them.
import path from 'node:path';
import type { Environment } from '../../domain/environment';
import type { Manifest } from './manifest';

export interface KeyLocation {
  file: string;
  /** The embedded default made it in the data directory; a restore puts the given key back there. */
  inDataDir: boolean;
}

export interface Locations {
  dataDir: string;
  /** Each part's file or directory on this deployment; null where it lives elsewhere (PostgreSQL, a cluster). */
  temporal: string | null;
  ledger: string | null;
  notices: string | null;
  documents: string | null;
  witness: string | null;
  payloadKeys: KeyLocation;
  signingKey: KeyLocation | null;
  source: Manifest['source'];
}

export function locations(env: Environment, dataDirOption?: string): Locations {
  const dataDir = path.resolve(dataDirOption ?? env.ALLIANCE_DATA_DIR);
  const inData = (name: string): string => path.join(dataDir, name);
  const embedded = !env.TEMPORAL_ADDRESS;
  const sqlite = !env.DATABASE_URL;
  return {
    dataDir,
    temporal: embedded ? inData('temporal.sqlite') : null,
    ledger: sqlite ? path.resolve(env.ALLIANCE_LEDGER_PATH ?? inData('ledger.sqlite')) : null,
    notices: sqlite ? inData('notices.sqlite') : null,
    documents: env.ALLIANCE_DOCUMENTS_DIR ? path.resolve(env.ALLIANCE_DOCUMENTS_DIR) : sqlite ? inData('documents') : null,
    witness: env.ALLIANCE_WITNESS_DIR ? path.resolve(env.ALLIANCE_WITNESS_DIR) : embedded ? inData('witness') : null,
    payloadKeys: env.ALLIANCE_PAYLOAD_KEYS_FILE
      ? { file: path.resolve(env.ALLIANCE_PAYLOAD_KEYS_FILE), inDataDir: false }
      : { file: inData('payload-keys.json'), inDataDir: true },
    signingKey: env.ALLIANCE_LOG_SIGNING_KEY_FILE
      ? { file: path.resolve(env.ALLIANCE_LOG_SIGNING_KEY_FILE), inDataDir: false }
      : embedded
        ? { file: inData('ledger-signing.key'), inDataDir: true }
        : null,
    source: {
      dataDir,
      temporal: embedded ? 'embedded' : 'cluster',
      database: sqlite ? 'sqlite' : 'postgres',
      documents: env.ALLIANCE_DOCUMENTS_DIR || sqlite ? 'files' : 'postgres',
    },
  };
}

/** Whether `inner` is `outer` or lies inside it. */
export const within = (inner: string, outer: string): boolean => {
  const relative = path.relative(outer, inner);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
};
