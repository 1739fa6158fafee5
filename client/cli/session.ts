import { readFileSync } from 'node:fs';
import { AllianceError } from '../../domain/errors';
import { ApiClient } from '../api-client';
import { loadLogin, storedTokenSource } from './credentials';

export interface Session {
  /** The service's HTTP API, as the logged-in person. */
  api: ApiClient;
  close(): Promise<void>;
}

export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

/** ALLIANCE_API_URL, else the API of the last `alliance login`, else the loopback default of `make start`. */
export function apiUrl(): string {
  const configured = process.env.ALLIANCE_API_URL?.trim();
  if (configured) {
    try {
      const url = new URL(configured);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    } catch {
      throw new AllianceError('VALIDATION', `ALLIANCE_API_URL: expected the service's URL, e.g. ${DEFAULT_API_URL} (got ${JSON.stringify(configured)}).`);
    }
    return configured.replace(/\/$/, '');
  }
  const stored = loadLogin()?.apiUrl;
  if (stored) return stored;
  // No guessing: a command sent to whatever answers on a default port could reach the wrong service.
  throw new AllianceError(
    'VALIDATION',
    `Which service? Set ALLIANCE_API_URL to the API \`make start\` prints (e.g. ${DEFAULT_API_URL}), or log in once with it set.`,
  );
}

/**
 * The language the person at the terminal reads, as an Accept-Language value: ALLIANCE_LANG
 * (`zh-TW` or `en`), else the POSIX locale (LC_ALL, LC_MESSAGES, LANG; `zh_TW.UTF-8` → `zh-TW`);
 * none of them set: the API's default (English). The API answers refusals and problems in it.
 */
export function terminalLanguage(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env.ALLIANCE_LANG?.trim();
  if (chosen) return /^zh/i.test(chosen) ? 'zh-TW' : 'en';
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((value) => value && value !== 'C' && value !== 'POSIX');
  if (!locale) return undefined;
  return /^zh/i.test(locale) ? 'zh-TW' : 'en';
}

/** The API as whoever logged in last (`alliance login`); only the service itself holds Temporal credentials. */
export function connectSession(): Session {
  const url = apiUrl();
  const login = loadLogin();
  // A stored login is for the API it was made against; another API gets no token of it.
  const tokens = login && login.apiUrl === url ? storedTokenSource() : null;
  return { api: new ApiClient(url, tokens, terminalLanguage()), close: () => Promise.resolve() };
}

/** `alliance-105:TE2-0001` or `project:alliance-105:TE2-0001` → the project's workflow id. */
export function projectId(reference: string): string {
  const parts = reference.split(':');
  if (parts.length === 2 && parts.every(Boolean)) return `project:${reference}`;
  if (parts.length === 3 && parts[0] === 'project' && parts[1] && parts[2]) return reference;
  throw new AllianceError('VALIDATION', `"${reference}" is not a project: write CALL:APPLICATION, e.g. alliance-105:TE2-0001.`);
}

/** A small text file the user named (a checkpoint, a key): a clear error when it cannot be read. */
export function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new AllianceError('VALIDATION', `Cannot read the ${what} ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
}

export function readJsonFile(path: string, what: string): unknown {
  const text = readTextFile(path, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AllianceError('VALIDATION', `The ${what} ${path} is not valid JSON: ${(error as Error).message}.`);
  }
}
