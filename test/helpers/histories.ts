import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { DataConverter, Payload } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { readKeyRing } from '../../activities/crypto/key-ring';
import { DiskDocumentStore, type DocumentStore } from '../../activities/documents/document-store';
import { fetchRunChain } from '../../activities/run-history';
import { serviceDataConverter } from '../../gateway/payload-codec';
import { testDocumentsDir, testPayloadKeysFile } from './environments';

export const historiesDir = path.resolve(__dirname, '../histories');
/**
 * The documents the recorded histories refer to (long payloads are kept by reference, sealed):
 * kept beside them, so that a history replays on a machine that never ran the test that wrote it.
 */
const historyDocumentsDir = path.join(historiesDir, 'documents');

/**
 * The generation of histories `make histories` writes now. Raise it when the workflow code
 * changes behaviour (behind `patched()`): older generations stay in the corpus and keep replaying,
 * as projects started under them keep running for years.
 */
const GENERATION = 'g13';

/**
 * With UPDATE_HISTORIES=1 (`make histories`), keeps every run of a finished project's chain in
 * test/histories/ so that later code must replay it: running projects live for years.
 */
export async function recordHistories(client: Client, workflowId: string, name: string): Promise<void> {
  if (process.env.UPDATE_HISTORIES !== '1') return;
  mkdirSync(historiesDir, { recursive: true });
  const runs = await fetchRunChain(client, workflowId);
  const manifest = readManifest();
  for (const [i, run] of runs.entries()) {
    const file = `${name}.${GENERATION}.run${i + 1}.json`;
    writeFileSync(path.join(historiesDir, file), historyToJSON(run.history));
    manifest[file] = workflowId;
    await keepDocuments(run.history, workflowId);
  }
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Every payload in a history: anything with `metadata` and `data`, wherever the event holds it. */
function payloadsIn(node: unknown, found: Payload[] = []): Payload[] {
  if (!node || typeof node !== 'object' || ArrayBuffer.isView(node)) return found;
  const record = node as Record<string, unknown>;
  if (record.metadata && typeof record.metadata === 'object' && ArrayBuffer.isView(record.data)) found.push(record);
  else for (const child of Object.values(record)) payloadsIn(child, found);
  return found;
}

/** Opens every payload of the history as a worker would, keeping a copy of each document it reads. */
async function keepDocuments(history: unknown, workflowId: string): Promise<void> {
  const ring = readKeyRing(testPayloadKeysFile);
  const source = new DiskDocumentStore(testDocumentsDir, ring);
  const kept = new DiskDocumentStore(historyDocumentsDir, ring);
  const copying: DocumentStore = {
    put: (bytes, scope) => source.put(bytes, scope),
    get: async (digest, scope) => {
      const bytes = await source.get(digest, scope);
      await kept.put(bytes, scope);
      return bytes;
    },
    eraseScope: (scope) => source.eraseScope(scope),
    resealUnder: (keyId) => source.resealUnder(keyId),
    where: source.where,
    close: () => Promise.all([source.close(), kept.close()]).then(() => undefined),
  };
  const codecs = [...(serviceDataConverter(ring, copying).payloadCodecs ?? [])].reverse();
  for (const payload of payloadsIn(history)) {
    let open = [payload];
    for (const codec of codecs) open = await codec.decode(open, { type: 'workflow', namespace: 'default', workflowId });
  }
  await copying.close();
}

/**
 * The data converter a replay reads the corpus with: the tests' keys, and a copy of the corpus's
 * documents (a replay may write), removed by `done`.
 */
export function replayDataConverter(): { dataConverter: DataConverter; done: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'alliance-replay-documents-'));
  if (existsSync(historyDocumentsDir)) cpSync(historyDocumentsDir, dir, { recursive: true });
  const ring = readKeyRing(testPayloadKeysFile);
  return { dataConverter: serviceDataConverter(ring, new DiskDocumentStore(dir, ring)), done: () => rmSync(dir, { recursive: true, force: true }) };
}

const manifestFile = path.join(historiesDir, 'workflow-ids.json');

/** Which workflow id each recorded history belongs to: replay needs it, child workflow ids derive from it. */
export function readManifest(): Record<string, string> {
  return existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, string>) : {};
}
