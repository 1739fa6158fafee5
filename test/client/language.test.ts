// The command line reads the terminal's language and asks the API for it: refusals and problems
// come back in Chinese for a zh_TW locale (the API's side: test/server/api.test.ts).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient } from '../../client/api-client';
import { terminalLanguage } from '../../client/cli/session';

describe("the terminal's language", () => {
  it('is ALLIANCE_LANG, else the POSIX locale in its order, else none', () => {
    expect(terminalLanguage({ ALLIANCE_LANG: 'zh-TW', LANG: 'en_US.UTF-8' })).toBe('zh-TW');
    expect(terminalLanguage({ ALLIANCE_LANG: 'en', LANG: 'zh_TW.UTF-8' })).toBe('en');
    expect(terminalLanguage({ LANG: 'zh_TW.UTF-8' })).toBe('zh-TW');
    expect(terminalLanguage({ LC_ALL: 'en_US.UTF-8', LANG: 'zh_TW.UTF-8' })).toBe('en');
    expect(terminalLanguage({ LC_MESSAGES: 'zh_TW.Big5', LANG: 'en_GB.UTF-8' })).toBe('zh-TW');
    expect(terminalLanguage({ LC_ALL: 'C', LANG: 'zh_TW.UTF-8' })).toBe('zh-TW');
    expect(terminalLanguage({})).toBeUndefined();
  });

  it('goes with every request, and the problem comes back as the API words it', async () => {
    const seen: (string | undefined)[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers['accept-language']);
      response
        .writeHead(403, { 'content-type': 'application/problem+json', 'content-language': 'zh-TW' })
        .end(JSON.stringify({ type: 'about:blank', title: '權限不足', status: 403, code: 'FORBIDDEN', detail: '此操作僅限計畫辦公室。' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await expect(new ApiClient(url, () => Promise.resolve('token'), 'zh-TW').request('GET', '/api/calls')).rejects.toThrow('此操作僅限計畫辦公室。');
      await expect(new ApiClient(url, () => Promise.resolve('token')).request('GET', '/api/calls')).rejects.toThrow();
      // Without a language, fetch's own `*`: the API's default, English.
      expect(seen).toEqual(['zh-TW', '*']);
    } finally {
      server.close();
    }
  });
});
