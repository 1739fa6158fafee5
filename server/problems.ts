import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import type { Problem } from '../domain/api';
import { AllianceError, type ErrorCode } from '../domain/errors';
import { localMessage } from './web/messages';

/** The HTTP status of each error code: every refusal of the caller's input is a 4xx. */
export const httpStatus: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  TOO_MANY: 429,
  ROLE_NOT_ALLOWED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ILLEGAL_TRANSITION: 409,
  STALE: 412,
  KEY_REUSED: 422,
  TOO_LARGE: 413,
  UNSUPPORTED_FORMAT: 415,
  INTEGRITY: 409,
  NOT_REACHABLE: 503,
  INTERNAL: 500,
};

const titles: Record<ErrorCode, string> = {
  VALIDATION: 'The request is invalid',
  UNAUTHENTICATED: 'Log in first',
  TOO_MANY: 'Too many at once',
  ROLE_NOT_ALLOWED: 'Your role may not do this',
  FORBIDDEN: 'This is not yours',
  NOT_FOUND: 'No such thing',
  ILLEGAL_TRANSITION: 'Not possible now',
  STALE: 'The project changed since you read it',
  KEY_REUSED: 'That Idempotency-Key was used for another request',
  TOO_LARGE: 'The document is too large',
  UNSUPPORTED_FORMAT: 'The document is not in a format taken',
  INTEGRITY: 'The evidence does not verify',
  NOT_REACHABLE: 'A service behind the API cannot be reached',
  INTERNAL: 'The service failed',
};

/** The titles in Traditional Chinese, for a caller whose Accept-Language prefers it. */
const zhTitles: Record<ErrorCode, string> = {
  VALIDATION: '請求內容不正確',
  UNAUTHENTICATED: '請先登入',
  TOO_MANY: '同時請求過多',
  ROLE_NOT_ALLOWED: '您的角色不可執行此操作',
  FORBIDDEN: '這不屬於您',
  NOT_FOUND: '找不到',
  ILLEGAL_TRANSITION: '目前無法執行',
  STALE: '計畫已於您讀取後變更',
  KEY_REUSED: '此 Idempotency-Key 已用於其他請求',
  TOO_LARGE: '文件過大',
  UNSUPPORTED_FORMAT: '文件格式不受理',
  INTEGRITY: '證據驗證不通過',
  NOT_REACHABLE: 'API 後方的服務無法連線',
  INTERNAL: '服務發生錯誤',
};

/**
 * The language a caller asks for (Accept-Language, by its q-values): Traditional Chinese when a
 * `zh` tag ranks above every `en` tag, English otherwise. The codes never change with it.
 */
export function problemLanguage(header: string | undefined): 'zh-TW' | 'en' {
  const ranked = (header ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.split('=')[1] ?? 1);
      return { tag, q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((l) => l.q > 0 && (l.tag.startsWith('zh') || l.tag.startsWith('en')))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked[0]?.tag.startsWith('zh') ? 'zh-TW' : 'en';
}

/** The problem in the caller's language: its title, detail and details said again; its code and type as they are. */
export function localProblem(body: Problem, lang: 'zh-TW' | 'en'): Problem {
  if (lang === 'en') return body;
  return {
    ...body,
    title: zhTitles[body.code] ?? body.title,
    detail: localMessage(lang, body.detail),
    details: body.details.map((d) => localMessage(lang, d)),
  };
}

export function problem(code: ErrorCode, detail: string, details: readonly string[] = [], status = httpStatus[code]): Problem {
  return { type: `urn:alliance:problem:${code.toLowerCase()}`, title: titles[code], status, code, detail, details: [...details] };
}

/** A problem's words follow Accept-Language: caches are told so, beside what else varies. */
const varyBy = (reply: FastifyReply): string => {
  const already = String(reply.getHeader('vary') ?? '');
  return already && !/accept-language/i.test(already) ? `${already}, Accept-Language` : already || 'Accept-Language';
};

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  reply.request.problemCode = body.code;
  if (body.status === 401) reply.header('www-authenticate', 'Bearer realm="alliance"');
  const lang = problemLanguage(reply.request.headers['accept-language']);
  return reply.code(body.status).type('application/problem+json').header('content-language', lang).header('vary', varyBy(reply)).send(localProblem(body, lang));
}

/** Fastify's own refusals (body too large, wrong media type, bad JSON…) keep their 4xx status. */
function fromFastify(error: FastifyError): Problem | null {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const details = error.validation.map((v) => `${v.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(body)'}: ${v.message ?? 'invalid'}`);
    return problem('VALIDATION', `The ${error.validationContext ?? 'request'} is invalid: ${details.join('; ')}.`, details);
  }
  if (error.validation) return problem('VALIDATION', error.message);
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return problem('VALIDATION', error.message, [], error.statusCode);
  return null;
}

/** Every error leaves as RFC 9457 problem details; a 500 means a bug of ours, logged in full. */
export function registerProblems(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AllianceError) return sendProblem(reply, problem(error.code, error.message, error.details));
    const known = fromFastify(error);
    if (known) return sendProblem(reply, known);
    if (isResponseSerializationError(error)) request.log.error({ issues: error.cause.issues }, 'response does not match its schema');
    else request.log.error(error);
    return sendProblem(reply, problem('INTERNAL', 'The service failed to answer this request; it has been logged.'));
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem('NOT_FOUND', `There is no ${request.method} ${request.url.split('?')[0]}; see /openapi.json for every route.`)),
  );
}
