import Fastify, { type FastifyInstance } from 'fastify';
import type { Actor } from '../../domain/actor';
import { AllianceError } from '../../domain/errors';
import { enforceDeclaredAccess } from '../../server/route-access';

/** A bare Fastify with the API's access hook, the actor set as the authentication hook sets it. */
async function door(actor: Actor, routes: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify();
  app.decorateRequest('actor', null as unknown as Actor);
  app.addHook('onRequest', async (request) => {
    request.actor = await Promise.resolve(actor);
  });
  app.setErrorHandler((error: unknown, _request, reply) =>
    reply
      .code(error instanceof AllianceError ? 403 : 500)
      .send({ code: error instanceof AllianceError ? error.code : 'INTERNAL', detail: (error as Error).message }),
  );
  enforceDeclaredAccess(app);
  routes(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return app;
}

/** A GET on the door (light-my-request's inject does not load under jest: a real request on loopback instead). */
async function get(app: FastifyInstance, path: string): Promise<{ status: number; body: unknown }> {
  const { port } = app.server.address() as { port: number };
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  const body: unknown = await response.json();
  await app.close();
  return { status: response.status, body };
}

describe('access declared on each route, checked by one hook', () => {
  it("refuses a role the declared access does not name, before the handler runs, with the law's words", async () => {
    let ran = 0;
    const app = await door({ role: 'pi', id: 'pi-lin' }, (a) => a.get('/audit/search', { config: { access: 'audit.read' } }, () => ({ ran: ++ran })));
    const answer = await get(app, '/audit/search');
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ code: 'ROLE_NOT_ALLOWED', detail: 'The audit trail is for office and auditor only, not for pi pi-lin.' });
    expect(ran).toBe(0);
    const office = await door({ role: 'office', id: 'office-kao' }, (a) => a.get('/audit/search', { config: { access: 'audit.read' } }, () => ({ ok: true })));
    expect((await get(office, '/audit/search')).status).toBe(200);
  });

  it('lets anyone signed in reach a route the law judges inside', async () => {
    const app = await door({ role: 'reviewer', id: 'rev-1' }, (a) => a.get('/me', { config: { access: 'signedIn' } }, () => ({ ok: true })));
    expect((await get(app, '/me')).status).toBe(200);
  });

  it('will not start with a route that declares no access', async () => {
    await expect(door({ role: 'office', id: 'office-kao' }, (a) => a.get('/forgotten', () => ({ open: true })))).rejects.toThrow(
      /GET \/forgotten declares no access/,
    );
  });
});
