import type { FastifyInstance } from 'fastify';
import { AllianceError } from '../domain/errors';
import { checkAccess, type RouteAccess } from '../machines/access';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who the route is for (machines/access.ts): every /api route declares it. */
    access?: RouteAccess;
  }
}

/**
 * Access declared on each route and checked by one hook, for every route of the prefix it is
 * registered on: a route that declares none fails the service's start, so none can forget. The
 * decision is the law's (`checkAccess`); the route only names which question to ask.
 */
export function enforceDeclaredAccess(api: FastifyInstance): void {
  api.addHook('onRoute', (route) => {
    if (route.method !== 'HEAD' && !route.config?.access)
      throw new Error(`${String(route.method)} ${route.url} declares no access (config.access): say who the route is for`);
  });
  api.addHook('preHandler', (request, _reply, done) => {
    const access = request.routeOptions.config.access;
    const refused = access && access !== 'signedIn' ? checkAccess(access, request.actor) : null;
    done(refused ? new AllianceError(refused.code, refused.message) : undefined);
  });
}
