// A call's status is read again only when the call has moved: the office's dashboard and `/api/me`
// read the open call at every request, and its query waits on the worker's workflow thread.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { CallStatusCache, callVersion } from '../../gateway/call-status-cache';
import { CallClient } from '../../gateway/calls';
import { alliance105 } from '../../domain/calls';
import { callWorkflowId } from '../../domain/ids';
import type { CallView } from '../../messages/call';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, hourLongCall, withServiceWorker } from '../helpers/project-harness';

const viewOf = (callId: string): CallView => ({ callId }) as unknown as CallView;

describe('the views kept', () => {
  it('answers only the version it was read at, and keeps none without a version', () => {
    const cache = new CallStatusCache(2);
    cache.set('a', undefined, viewOf('a'));
    expect(cache.get('a', undefined)).toBeUndefined();
    cache.set('a', 'run#5', viewOf('a'));
    expect(cache.get('a', 'run#6')).toBeUndefined();
    expect(cache.get('a', 'other#5')).toBeUndefined();
    expect(cache.get('a', 'run#5')).toEqual({ callId: 'a' });
    expect(cache.counts).toEqual({ kept: 1, queried: 3 });
    expect(callVersion({ runId: 'r', historyLength: 0 })).toBeUndefined();
    expect(callVersion({ runId: 'r', historyLength: 12 })).toBe('r#12');
  });

  it('lets the least recently read call go first', () => {
    const cache = new CallStatusCache(2);
    cache.set('a', 'v', viewOf('a'));
    cache.set('b', 'v', viewOf('b'));
    cache.get('a', 'v');
    cache.set('c', 'v', viewOf('c'));
    expect(cache.get('b', 'v')).toBeUndefined();
    expect(cache.get('a', 'v')).toBeDefined();
    expect(cache.get('c', 'v')).toBeDefined();
  });

  it('freezes what it keeps: one reader cannot change the view for the next', () => {
    const cache = new CallStatusCache();
    const view = cache.set('a', 'v', { callId: 'a', projects: [{ applicationId: 'TE2-0001' }] } as unknown as CallView);
    expect(() => (view.projects as unknown[]).push({})).toThrow(TypeError);
    expect(() => Object.assign(view.projects[0]!, { title: 'changed' })).toThrow(TypeError);
  });
});

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

it("reads a call's status again only once the call has moved, a new run included", async () => {
  const callId = uniqueName('status-reads');
  const call = compressedCall(alliance105, Date.now(), hourLongCall, callId);
  const taskQueue = uniqueName('status-reads');
  await withServiceWorker(env, bundle, taskQueue, async (projects) => {
    // A low threshold, so that the registrations below continue the call as new.
    await env.client.workflow.start('callWorkflow', {
      taskQueue,
      workflowId: callWorkflowId(callId),
      args: [{ call, reviewerPool: [], continueAsNewAfterEvents: 40 }],
    });
    const calls = new CallClient(env.client, taskQueue);
    // The first read waits for the call's first workflow task, which lengthens its history: read twice.
    await calls.status(callId);
    const first = await calls.status(callId);
    expect(first.projects).toEqual([]);
    // Unmoved: the same view, no query; a client under an idempotency key shares what is kept.
    expect(await calls.status(callId)).toBe(first);
    expect(await calls.idempotent('key-1').status(callId)).toBe(first);
    expect(calls.statusReads).toEqual({ kept: 2, queried: 2 });

    // Each registration is seen by the very next read (the update's events are the new version).
    const ids = Array.from({ length: 8 }, (_, i) => `TE2-000${i + 1}`);
    const runs = new Set<string>();
    for (const [i, id] of ids.entries()) {
      await calls.registerApplication(callId, actors.pi, anApplication({ id }));
      expect((await calls.status(callId)).projects.map((p) => p.applicationId)).toEqual(ids.slice(0, i + 1));
      runs.add((await env.client.workflow.getHandle(callWorkflowId(callId)).describe()).runId);
    }
    expect(runs.size).toBeGreaterThan(1);
    const reads = calls.statusReads.queried;
    const last = await calls.status(callId);
    expect(await calls.status(callId)).toBe(last);
    expect(calls.statusReads.queried).toBe(reads);

    await Promise.all(ids.map((id) => projects.handle(`project:${callId}:${id}`).terminate('test finished')));
    await env.client.workflow.getHandle(callWorkflowId(callId)).terminate('test finished');
  });
});
