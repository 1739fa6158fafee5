import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { fetchRunChain } from '../../client/history';

export const historiesDir = path.resolve(__dirname, '../histories');

/**
 * With UPDATE_HISTORIES=1 (`make histories`), keeps every run of a finished project's chain in
 * test/histories/ so that later code must replay it: running projects live for years.
 */
export async function recordHistories(client: Client, workflowId: string, name: string): Promise<void> {
  if (process.env.UPDATE_HISTORIES !== '1') return;
  mkdirSync(historiesDir, { recursive: true });
  const runs = await fetchRunChain(client, workflowId);
  runs.forEach((run, i) => {
    writeFileSync(path.join(historiesDir, `${name}.run${i + 1}.json`), historyToJSON(run.history));
  });
}
