// A call's status is read again only when the call has moved: the office's dashboard and `/api/me`
// read the open call at every request, and its query waits on the worker's workflow thread.
// (test/workflows/call-continue-as-new.test.ts reads a running call through them.)
import { CallStatusCache, callVersion } from '../../gateway/call-status-cache';
import type { CallView } from '../../messages/call';

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
