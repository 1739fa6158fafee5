import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { fetchRunChain } from '../../activities/run-history';

export const historiesDir = path.resolve(__dirname, '../histories');

/**
 * The generation of histories `make histories` writes now. Raise it when the workflow code
 * changes behaviour (behind `patched()`): older generations stay in the corpus and keep replaying,
 * as projects started under them keep running for years.
 */
const GENERATION = 'g12';

/**
 * With UPDATE_HISTORIES=1 (`make histories`), keeps every run of a finished project's chain in
 * test/histories/ so that later code must replay it: running projects live for years.
 */
export async function recordHistories(client: Client, workflowId: string, name: string): Promise<void> {
  if (process.env.UPDATE_HISTORIES !== '1') return;
  mkdirSync(historiesDir, { recursive: true });
  const runs = await fetchRunChain(client, workflowId);
  const manifest = readManifest();
  runs.forEach((run, i) => {
    const file = `${name}.${GENERATION}.run${i + 1}.json`;
    writeFileSync(path.join(historiesDir, file), historyToJSON(run.history));
    manifest[file] = workflowId;
  });
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
}

const manifestFile = path.join(historiesDir, 'workflow-ids.json');

/** Which workflow id each recorded history belongs to: replay needs it, child workflow ids derive from it. */
export function readManifest(): Record<string, string> {
  return existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, string>) : {};
}
