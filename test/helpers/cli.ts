import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repositoryRoot } from '../../worker/temporal-binaries';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `alliance` command with only the environment given (and PATH). */
export function runAlliance(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repositoryRoot, 'dist/client/cli/alliance.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A stored log-in of a seeded account, as `alliance login` would leave it, in a file of its own. */
export async function loginFileFor(username: string, apiUrl: string): Promise<string> {
  const { identityProvider, tokenFor } = await import('./api');
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-login-')), 'login.json');
  writeFileSync(
    file,
    JSON.stringify({
      apiUrl,
      issuer: identityProvider().issuer,
      clientId: 'alliance-cli',
      accessToken: await tokenFor(username),
      expiresAt: Date.now() + 10 * 60_000,
    }),
    { mode: 0o600 },
  );
  return file;
}

/** Runs the built `alliance` command against the API at `apiUrl`, logged in as `username` (or not at all). */
export async function allianceAs(username: string | null, apiUrl: string, args: string[]): Promise<CliRun> {
  const login = username ? await loginFileFor(username, apiUrl) : path.join(os.tmpdir(), 'alliance-no-login.json');
  return runAlliance(args, { ALLIANCE_API_URL: apiUrl, ALLIANCE_CREDENTIALS: login });
}
