import { createHash, randomBytes } from 'node:crypto';
import { AllianceError } from '../../domain/errors';
import { ApiClient } from '../api-client';
import { discover, saveLogin, tokenRequest, toStored, type StoredLogin } from './credentials';

interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete?: string;
  expires_in: number;
  interval?: number;
}

/**
 * `alliance login`: the OAuth 2.0 device authorization grant (RFC 8628) against the provider the
 * API names. The person opens the address shown, logs in there (never here) and approves; the
 * command polls for the token and keeps it in the user's config directory.
 */
export async function deviceLogin(
  apiUrl: string,
  say: (line: string) => void,
  wait = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<StoredLogin> {
  const info = await new ApiClient(apiUrl, null).loginInfo();
  const endpoints = await discover(info.issuer);
  if (!endpoints.device_authorization_endpoint)
    throw new AllianceError('NOT_REACHABLE', `The identity provider ${info.issuer} offers no device authorization grant.`);
  // PKCE (RFC 7636) binds the token to this process: a stolen device code alone is worth nothing.
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const started = await fetch(endpoints.device_authorization_endpoint, {
    method: 'POST',
    body: new URLSearchParams({ client_id: info.cliClientId, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' }),
  });
  if (!started.ok)
    throw new AllianceError('NOT_REACHABLE', `The identity provider refused to start a log-in (HTTP ${started.status}): ${await started.text()}`);
  const device = (await started.json()) as DeviceAuthorization;
  say(`To log in, open ${device.verification_uri_complete ?? device.verification_uri}`);
  say(`and confirm the code ${device.user_code} (valid ${Math.round(device.expires_in / 60)} minutes).`);
  let interval = (device.interval ?? 5) * 1000;
  const deadline = Date.now() + device.expires_in * 1000;
  while (Date.now() < deadline) {
    await wait(interval);
    const answer = await tokenRequest(endpoints.token_endpoint, {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: device.device_code,
      client_id: info.cliClientId,
      code_verifier: verifier,
    });
    if (!('error' in answer)) {
      const login = toStored({ apiUrl, issuer: info.issuer, clientId: info.cliClientId }, answer);
      saveLogin(login);
      return login;
    }
    if (answer.error === 'authorization_pending') continue;
    if (answer.error === 'slow_down') {
      interval += 5000;
      continue;
    }
    throw new AllianceError('UNAUTHENTICATED', `The log-in was not completed: ${answer.error_description ?? answer.error}.`);
  }
  throw new AllianceError('UNAUTHENTICATED', 'The log-in code expired before it was confirmed; run `alliance login` again.');
}
