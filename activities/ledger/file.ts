import path from 'node:path';
import type { Environment } from '../../domain/environment';

/** Where the audit ledger lives: ALLIANCE_LEDGER_PATH, or ledger.sqlite in the data directory. */
export function ledgerFile(env: Environment): string {
  return path.resolve(env.ALLIANCE_LEDGER_PATH ?? path.join(env.ALLIANCE_DATA_DIR, 'ledger.sqlite'));
}
