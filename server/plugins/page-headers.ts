// How every page goes out: HTML, never cached, never framed, no script at all, forms only to this
// site and the identity provider.
import type { FastifyReply } from 'fastify';

export type SendPage = (reply: FastifyReply, body: string, status?: number) => FastifyReply;

export function pageSender(issuerOrigin: string): SendPage {
  return (reply, body, status = 200) =>
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-frame-options', 'DENY')
      .header('content-security-policy', `default-src 'self'; script-src 'none'; frame-ancestors 'none'; form-action 'self' ${issuerOrigin}`)
      .send(body);
}
