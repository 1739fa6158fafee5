import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { historiesDir, readManifest, replayDataConverter } from '../helpers/histories';
import { bundleServiceWorkflows } from '../helpers/project-harness';
import { untracedSinks } from '../../worker/create-worker';

const manifest = readManifest();
const files = readdirSync(historiesDir)
  .filter((f) => f.endsWith('.json') && f !== 'workflow-ids.json')
  .sort();

it('has recorded histories of whole project lives to replay', () => {
  expect(files.some((f) => f.startsWith('project-life-105.'))).toBe(true);
  expect(files.some((f) => f.startsWith('project-life-compressed.'))).toBe(true);
  expect(files.some((f) => f.startsWith('call-through-decisions.'))).toBe(true);
});

it('replays every recorded history against the current workflow code without a determinism error', async () => {
  const bundle = await bundleServiceWorkflows();
  const histories = files.map((file) => ({
    workflowId: manifest[file] ?? file.replace(/\.json$/, ''),
    history: historyFromJSON(JSON.parse(readFileSync(path.join(historiesDir, file), 'utf8'))),
  }));
  const failures: string[] = [];
  let replayed = 0;
  const { dataConverter, done } = replayDataConverter();
  try {
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, dataConverter, sinks: untracedSinks }, histories)) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
  } finally {
    done();
  }
  expect(failures).toEqual([]);
  expect(replayed).toBe(files.length);
});
