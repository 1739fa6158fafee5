import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AllianceError } from '../../domain/errors';
import type { TokenSource } from '../api-client';

/** What `alliance login` keeps in the user's config directory (mode 0600): the API and the provider's tokens. */
export interface StoredLogin {
  apiUrl: string;
  issuer: string;
  clientId: string;
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
}

export const credentialsFile = (): string =>
  process.env.ALLIANCE_CREDENTIALS ?? path.join(process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'alliance', 'login.json');

export function saveLogin(login: StoredLogin): void {
  const file = credentialsFile();
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function loadLogin(): StoredLogin | null {
  const file = credentialsFile();
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StoredLogin;
  } catch {
    return null;
  }
}

export function forgetLogin(): boolean {
  const file = credentialsFile();
  if (!existsSync(file)) return false;
  rmSync(file);
  return true;
}

export const toStored = (base: Omit<StoredLogin, 'accessToken' | 'refreshToken' | 'expiresAt'>, token: TokenResponse): StoredLogin => ({
  ...base,
  accessToken: token.access_token,
  ...(token.refresh_token ? { refreshToken: token.refresh_token } : {}),
  expiresAt: Date.now() + token.expires_in * 1000,
});

/** The provider's endpoints, from its discovery document. */
export async function discover(issuer: string): Promise<{ token_endpoint: string; device_authorization_endpoint?: string }> {
  try {
    const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return (await response.json()) as { token_endpoint: string; device_authorization_endpoint?: string };
  } catch (error) {
    throw new AllianceError('NOT_REACHABLE', `The identity provider ${issuer} cannot be reached (${(error as Error).message}).`);
  }
}

/** Posts a form to the token endpoint; an OAuth error becomes a coded error with the provider's words. */
export async function tokenRequest(endpoint: string, form: Record<string, string>): Promise<TokenResponse | { error: string; error_description?: string }> {
  const response = await fetch(endpoint, { method: 'POST', body: new URLSearchParams(form) });
  return (await response.json()) as TokenResponse | { error: string; error_description?: string };
}

/** The stored login's access token, refreshed through the provider when it has (almost) expired. */
export function storedTokenSource(): TokenSource | null {
  const login = loadLogin();
  if (!login) return null;
  let current = login;
  return async () => {
    if (current.expiresAt - Date.now() > 30_000) return current.accessToken;
    if (!current.refreshToken) throw new AllianceError('UNAUTHENTICATED', 'Your log-in has expired: run `alliance login` again.');
    const { token_endpoint } = await discover(current.issuer);
    const answer = await tokenRequest(token_endpoint, { grant_type: 'refresh_token', client_id: current.clientId, refresh_token: current.refreshToken });
    if ('error' in answer)
      throw new AllianceError('UNAUTHENTICATED', `Your log-in has expired (${answer.error_description ?? answer.error}): run \`alliance login\` again.`);
    current = toStored(current, answer);
    saveLogin(current);
    return current.accessToken;
  };
}
