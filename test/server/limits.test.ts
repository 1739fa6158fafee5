// Every answer carries the usual security headers; one account's commands beyond the minute's
// allowance are refused with a 429 problem and Retry-After, another account and reads untouched.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Problem } from '../../domain/api';
import { buildApi } from '../../server/app';
import { createTokenVerifier } from '../../server/authentication';
import { call, identityProvider, tokenFor, type RunningApi } from '../helpers/api';
import { connectDevServer } from '../helpers/environments';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await connectDevServer();
});
afterAll(() => env?.teardown());

/** The API alone, with an allowance of `commandsPerMinute`: the commands below are refused by the law (no such project), and counted all the same. */
async function limitedApi(commandsPerMinute: number): Promise<RunningApi> {
  const { issuer } = identityProvider();
  const app = await buildApi({
    client: env.client,
    taskQueue: 'limits',
    ledger: null,
    verify: createTokenVerifier({ issuer, audience: 'alliance-api', roleClaim: 'alliance_role', idClaim: 'alliance_id' }),
    login: { issuer, cliClientId: 'alliance-cli', audience: 'alliance-api' },
    limits: { commandsPerMinute, loginsPerMinute: 5 },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, routes: app.routeCatalog, close: () => app.close() };
}

it("refuses an account's commands past its allowance with a 429 problem, and sends the security headers", async () => {
  const api = await limitedApi(3);
  try {
    const [lin, chen] = await Promise.all([tokenFor('pi-lin'), tokenFor('pi-chen')]);
    const command = (token: string) => call<Problem>(api, 'POST', '/api/projects/no-such-call/TE2-0001/application.submit', token, {});
    const answers = [await command(lin), await command(lin), await command(lin)];
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404]);
    const response = await fetch(`${api.url}/api/projects/no-such-call/TE2-0001/application.submit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${lin}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    const problem = (await response.json()) as Problem;
    expect([problem.code, problem.status]).toEqual(['TOO_MANY', 429]);
    expect(problem.detail).toMatch(/More than 3 commands from one account in a minute/);
    // Another account has its own allowance; reads are not counted.
    expect((await command(chen)).status).toBe(404);
    expect((await call(api, 'GET', '/api/me', lin)).status).toBe(200);

    // helmet's headers on the API's answers, refusals included.
    for (const headers of [response.headers, (await fetch(`${api.url}/api/calls`, { headers: { authorization: `Bearer ${lin}` } })).headers]) {
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('strict-transport-security')).toMatch(/max-age=/);
      expect(headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
    }
  } finally {
    await api.close();
  }
});
