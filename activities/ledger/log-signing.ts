import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateLogKey, parseSignerKey, verifierKeyOf, type LogSigner } from '../../tlog/checkpoint';

/** How this process signs checkpoints of the ledger: the key (never in the database) and the log's name. */
export interface LogSigning {
  signer: LogSigner;
  /** The checkpoint's first line: names the log (C2SP tlog-checkpoint). */
  origin: string;
  /** What auditors are given to check the signatures. */
  verifierKey: string;
}

/** The key name and origin of a ledger whose operator named neither. */
export const DEFAULT_LOG_ORIGIN = 'alliance.nstc.gov.tw/ledger';

/** Reads the signing key from a file (ALLIANCE_LOG_SIGNING_KEY_FILE): one line, PRIVATE+KEY+name+id+key. */
export function readLogSigning(file: string, origin = DEFAULT_LOG_ORIGIN): LogSigning {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new Error(`ALLIANCE_LOG_SIGNING_KEY_FILE: cannot read ${file}: ${(error as Error).message}`);
  }
  const signer = parseSignerKey(text);
  return { signer, origin, verifierKey: verifierKeyOf(signer) };
}

/**
 * The embedded default, for one machine: a key generated on first start into the data directory
 * (owner-only), beside — never inside — the ledger's database, with its verifier key in a file of
 * its own to hand to auditors. A real deployment keeps the key elsewhere (ALLIANCE_LOG_SIGNING_KEY_FILE).
 */
export function localLogSigning(dataDir: string, origin = DEFAULT_LOG_ORIGIN): LogSigning & { keyFile: string; verifierFile: string } {
  const keyFile = path.join(dataDir, 'ledger-signing.key');
  const verifierFile = path.join(dataDir, 'ledger-verifier.key');
  if (!existsSync(keyFile)) {
    const key = generateLogKey(origin.replace(/[\s+]/g, '-'));
    try {
      writeFileSync(keyFile, `${key.signerKey}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process of this machine (the API beside the worker) wrote it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  chmodSync(keyFile, 0o600);
  const signing = readLogSigning(keyFile, origin);
  writeFileSync(verifierFile, `${signing.verifierKey}\n`);
  return { ...signing, keyFile, verifierFile };
}
