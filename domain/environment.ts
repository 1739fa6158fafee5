import { z } from 'zod';
import { bounds } from './bounds';
import { retentionPolicy } from './retention';

/** host:port, the form Temporal's gRPC clients take. */
const HostPort = z.string().regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, 'expected host:port, e.g. temporal.example.org:7233');

const Port = z.coerce
  .number({ error: 'expected a port number between 1 and 65535' })
  .int('expected a port number between 1 and 65535')
  .min(1, 'expected a port number between 1 and 65535')
  .max(65535, 'expected a port number between 1 and 65535');

const NonEmpty = z.string().max(bounds.secret, 'expected at most 4,096 characters').trim().min(1, 'expected a non-empty value');

const Url = (schemes: string[], example: string) =>
  z
    .string()
    .max(bounds.secret, 'expected a URL of at most 4,096 characters')
    .refine(
      (value) => {
        try {
          return schemes.includes(new URL(value).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      `expected a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}, e.g. ${example}`,
    );

/**
 * Every setting of the service, read from environment variables. Unset means "use the embedded
 * default": no TEMPORAL_ADDRESS starts a local Temporal dev server, no SMTP_URL a local mail sink.
 */
export const Environment = z
  .object({
    TEMPORAL_ADDRESS: HostPort.optional(),
    TEMPORAL_NAMESPACE: NonEmpty.default('default'),
    TEMPORAL_TASK_QUEUE: NonEmpty.default('alliance-projects'),
    TEMPORAL_TLS_CERT: NonEmpty.optional(),
    TEMPORAL_TLS_KEY: NonEmpty.optional(),
    TEMPORAL_TLS_CA: NonEmpty.optional(),
    TEMPORAL_TLS_SERVER_NAME: NonEmpty.optional(),
    TEMPORAL_API_KEY: NonEmpty.optional(),
    /** Embedded server only: where it listens and how long closed workflows stay visible. */
    TEMPORAL_PORT: Port.default(7233),
    /** The embedded Web UI's port: off unless given (it can terminate and reset workflows; operators only, on this host). */
    TEMPORAL_UI_PORT: Port.optional(),
    TEMPORAL_RETENTION_DAYS: z.coerce
      .number({ error: 'expected a whole number of days between 1 and 36500' })
      .int('expected a whole number of days between 1 and 36500')
      .min(1, 'expected a whole number of days between 1 and 36500')
      .max(36500, 'expected a whole number of days between 1 and 36500')
      .default(3650),
    TEMPORAL_CLI_PATH: NonEmpty.optional(),
    ALLIANCE_DATA_DIR: NonEmpty.default('./data'),
    /**
     * The document store (long texts and lists by reference, sealed): a directory every worker and
     * API process shares. Unset: the `documents` table of DATABASE_URL when set, else documents/
     * in the data directory.
     */
    ALLIANCE_DOCUMENTS_DIR: NonEmpty.optional(),
    /** The audit ledger's SQLite file; default ledger.sqlite in the data directory. */
    ALLIANCE_LEDGER_PATH: NonEmpty.optional(),
    /** PostgreSQL for the ledger, the archive, the notice log and the office's alerts: what many workers share. */
    DATABASE_URL: Url(['postgres', 'postgresql'], 'postgres://alliance:secret@db.example.org:5432/alliance').optional(),
    /** With TEMPORAL_ADDRESS and no DATABASE_URL: `true` says this is the cluster's only worker, so SQLite files may serve. */
    /**
     * The file holding the key the ledger's checkpoints are signed with (PRIVATE+KEY+name+id+key,
     * as `alliance audit keygen` writes it): on a machine the database's operators cannot read.
     * Unset on the embedded default: one is made in the data directory on first start.
     */
    ALLIANCE_LOG_SIGNING_KEY_FILE: NonEmpty.optional(),
    /** The log's verifier key (public; what `alliance audit keygen` prints): API replicas hand it out with the published checkpoint. The API holds no signing key. */
    ALLIANCE_LOG_VERIFIER_KEY: z
      .string()
      .max(512)
      .regex(/^[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/, 'expected name+keyid+base64key, as alliance audit keygen prints it')
      .optional(),
    /**
     * The payload key file: AES-256 keys that encrypt every payload Temporal stores, the ledger's
     * payloads and the archive ({"current": id, "keys": [{id, key}]}, `alliance payload-keys rotate`
     * writes it). Every worker and API process of a cluster reads the same file. Unset on the
     * embedded default: one is made in the data directory on first start.
     */
    ALLIANCE_PAYLOAD_KEYS_FILE: NonEmpty.optional(),
    /** The log's name, the first line of every checkpoint. */
    ALLIANCE_LOG_ORIGIN: z
      .string()
      .max(200, 'expected at most 200 characters')
      .regex(/^[^\s+]{1,200}$/, 'expected a name without spaces or "+", e.g. alliance.nstc.gov.tw/ledger')
      .default('alliance.nstc.gov.tw/ledger'),
    /** A checkpoint is written when this many leaves were added since the last one… */
    ALLIANCE_CHECKPOINT_EVERY_ENTRIES: z.coerce
      .number({ error: 'expected a whole number of entries, 1 or more' })
      .int('expected a whole number of entries, 1 or more')
      .min(1, 'expected a whole number of entries, 1 or more')
      .max(10_000_000)
      .default(1000),
    /** …or when this many minutes passed since the last one and anything was added. */
    ALLIANCE_CHECKPOINT_EVERY_MINUTES: z.coerce
      .number({ error: 'expected a whole number of minutes, 1 or more' })
      .int('expected a whole number of minutes, 1 or more')
      .min(1, 'expected a whole number of minutes, 1 or more')
      .max(525_600)
      .default(60),
    /** Where each checkpoint is also written, one read-only file per size: make it append-only on the host. Embedded default: witness/ in the data directory. */
    ALLIANCE_WITNESS_DIR: NonEmpty.optional(),
    /** The auditors' address: each new checkpoint is mailed there. */
    ALLIANCE_AUDITORS_EMAIL: z.email('expected an e-mail address, e.g. audit@nstc.gov.tw').optional(),
    /** How often the archive looks for projects and calls that ended without archiving themselves (terminated, failed). */
    ALLIANCE_ARCHIVE_SWEEP_MINUTES: z.coerce
      .number({ error: 'expected a whole number of minutes, 1 or more' })
      .int('expected a whole number of minutes, 1 or more')
      .min(1, 'expected a whole number of minutes, 1 or more')
      .max(10_080)
      .default(10),
    /** How often the retention sweep erases what fell due under the retention policy (leaving tombstones in the ledger). */
    ALLIANCE_RETENTION_SWEEP_HOURS: z.coerce
      .number({ error: 'expected a whole number of hours, 1 or more' })
      .int('expected a whole number of hours, 1 or more')
      .min(1, 'expected a whole number of hours, 1 or more')
      .max(8_760)
      .default(24),
    /** The hour (Taipei time, 0–23) the daily digest of reminders goes out to those who chose it. */
    ALLIANCE_DIGEST_HOUR: z.coerce
      .number({ error: 'expected an hour of the day, 0 to 23' })
      .int('expected an hour of the day, 0 to 23')
      .min(0, 'expected an hour of the day, 0 to 23')
      .max(23, 'expected an hour of the day, 0 to 23')
      .default(8),
    /** The retention policy the sweep applies, a JSON file of the shape of domain/retention-policy.json (the default). */
    ALLIANCE_RETENTION_POLICY_FILE: NonEmpty.optional(),
    /** Joining a cluster whose namespace keeps closed workflows shorter than the retention policy needs: refuse to start, or warn. */
    ALLIANCE_RETENTION_CHECK: z.enum(['refuse', 'warn'], { error: 'expected refuse or warn' }).default('refuse'),
    /** How much the worker and the API log (JSON lines on stdout, personal data masked). */
    ALLIANCE_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR'], { error: 'expected DEBUG, INFO, WARN or ERROR' }).default('INFO'),
    /** Commands one account may send the API in a minute, and browser log-ins one address may start: the 101st is a 429. */
    ALLIANCE_COMMANDS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(100),
    ALLIANCE_LOGINS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(20),
    /** How often a browser session's role and id are read again from the identity provider (its refresh token): a changed role or a disabled account ends it. */
    ALLIANCE_SESSION_REFRESH_SECONDS: z.coerce.number().int().min(10).max(3600).default(300),
    ALLIANCE_SINGLE_WORKER: z.enum(['true', 'false'], { error: 'expected true or false' }).default('false'),
    SMTP_URL: Url(['smtp', 'smtps'], 'smtp://user:pass@mail.example.org:587').optional(),
    /** A second relay for the office's alerts about held-up mail, used when SMTP_URL fails. */
    SMTP_FALLBACK_URL: Url(['smtp', 'smtps'], 'smtp://user:pass@backup-mail.example.org:587').optional(),
    /** The sender of every notice. */
    SMTP_FROM: NonEmpty.default('產學技術聯盟合作計畫辦公室 <alliance-office@most.gov.tw>'),
    /** Without SMTP_URL: the port of the embedded loopback mail sink that keeps each message as .eml. */
    SMTP_SINK_PORT: Port.default(2525),
    /** The HTTP API and web pages: the only door for people. Loopback unless told otherwise. */
    API_HOST: NonEmpty.default('127.0.0.1'),
    API_PORT: Port.default(8080),
    /** The worker's Prometheus exporter (the SDK's worker metrics and the activities' own), host:port; unset: none. Keep it off the public network. */
    WORKER_METRICS_ADDRESS: z
      .string()
      .max(bounds.secret)
      .regex(/^[\w.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:9464')
      .optional(),
    /** Workflows the worker keeps in memory between their tasks; unset: about one per 4 MiB of the process's heap (worker/create-worker.ts). */
    WORKER_MAX_CACHED_WORKFLOWS: z.coerce
      .number({ error: 'expected a whole number of workflows, 2 or more' })
      .int('expected a whole number of workflows, 2 or more')
      .min(2, 'expected a whole number of workflows, 2 or more')
      .max(1_000_000)
      .optional(),
    /** OpenTelemetry tracing (the specification's names): spans go over OTLP/HTTP to this collector; unset: no tracing. */
    OTEL_EXPORTER_OTLP_ENDPOINT: Url(['https', 'http'], 'http://127.0.0.1:4318').optional(),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: Url(['https', 'http'], 'http://127.0.0.1:4318/v1/traces').optional(),
    OTEL_SERVICE_NAME: NonEmpty.optional(),
    /** This API's address as browsers reach it (behind a proxy); unset: http://API_HOST:API_PORT. */
    API_PUBLIC_URL: Url(['https', 'http'], 'https://alliance.nstc.gov.tw').optional(),
    /** The Temporal Web UI's origins, comma-separated: the only pages that may call the codec server. Unset: the embedded Web UI's. */
    TEMPORAL_UI_ORIGINS: z
      .string()
      .max(bounds.secret)
      .regex(/^https?:\/\/[^\s,/]+(,https?:\/\/[^\s,/]+)*$/, 'expected origins separated by commas, e.g. https://temporal-ui.nstc.gov.tw')
      .optional(),
    /** The OpenID provider whose tokens the API accepts; unset: `make start` runs the embedded Keycloak. */
    OIDC_ISSUER: Url(['https', 'http'], 'https://login.example.gov.tw/realms/alliance').optional(),
    /** The audience (`aud`) every token must name. */
    OIDC_AUDIENCE: NonEmpty.default('alliance-api'),
    /** The public client the command line logs in with (device authorization grant). */
    OIDC_CLI_CLIENT_ID: NonEmpty.default('alliance-cli'),
    /** The public client browsers log in with (authorization code with PKCE). */
    OIDC_WEB_CLIENT_ID: NonEmpty.default('alliance-web'),
    /** Claim mapping: where the programme role and the programme id are in a token (dotted paths). */
    OIDC_ROLE_CLAIM: NonEmpty.default('alliance_role'),
    OIDC_ID_CLAIM: NonEmpty.default('alliance_id'),
    /** Optional renaming of the provider's role values, e.g. `office=MOST-OFFICE,pi=PI`. */
    OIDC_ROLE_VALUES: z
      .string()
      .max(bounds.secret)
      .regex(
        /^(office|pi|institution|reviewer|auditor)=[^,=]+(,(office|pi|institution|reviewer|auditor)=[^,=]+)*$/,
        'expected ROLE=VALUE pairs separated by commas, e.g. office=MOST-OFFICE,pi=PI',
      )
      .optional(),
    /** Embedded identity provider only: its port and the Java 21+ runtime it needs. */
    KEYCLOAK_PORT: Port.default(8180),
    KEYCLOAK_JAVA_HOME: NonEmpty.optional(),
  })
  .superRefine((env, ctx) => {
    if (!env.TEMPORAL_ADDRESS && env.TEMPORAL_RETENTION_DAYS < retentionPolicy.temporalMinimumDays) {
      ctx.addIssue({
        code: 'custom',
        path: ['TEMPORAL_RETENTION_DAYS'],
        message: `expected at least ${retentionPolicy.temporalMinimumDays} days: the archive needs closed histories that long (domain/retention-policy.json)`,
      });
    }

    if (Boolean(env.TEMPORAL_TLS_CERT) !== Boolean(env.TEMPORAL_TLS_KEY)) {
      const missing = env.TEMPORAL_TLS_CERT ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT';
      ctx.addIssue({
        code: 'custom',
        path: [missing],
        message: 'expected a file path: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY are set together for mutual TLS',
      });
    }
  });
export type Environment = z.infer<typeof Environment>;

/** A start-up setting that cannot be used; its message names the variable and what is expected. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/**
 * A worker that joins a cluster shares it with other workers, and activities land on any of them:
 * local SQLite files would scatter the ledger and send mail twice. Refused unless told otherwise.
 */
export function checkWorkerStores(env: Environment): void {
  if (env.TEMPORAL_ADDRESS && !env.DATABASE_URL && env.ALLIANCE_SINGLE_WORKER !== 'true') {
    throw new ConfigurationError([
      'DATABASE_URL: expected a PostgreSQL URL (e.g. postgres://alliance:secret@db.example.org:5432/alliance): a worker joining a cluster (TEMPORAL_ADDRESS) shares its ledger and notice log with the other workers; set ALLIANCE_SINGLE_WORKER=true if this is the only worker and local SQLite files may serve',
    ]);
  }
}

/** Never echoed back in an error: they may carry credentials. */
const SECRET_VARIABLES = new Set(['TEMPORAL_API_KEY', 'SMTP_URL', 'SMTP_FALLBACK_URL', 'DATABASE_URL']);

/** Parses the process environment; throws one line per bad variable. */
export function parseEnvironment(source: Record<string, string | undefined>): Environment {
  // An empty variable (FOO=) means "unset" to most shells' users; treat it so.
  const defined = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = Environment.safeParse(defined);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? 'environment');
    const got = SECRET_VARIABLES.has(variable) ? undefined : defined[variable];
    return `${variable}: ${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`;
  });
  throw new ConfigurationError(problems);
}

/** How a process that failed to start says why: one line per configuration problem (exit 2), else the message (exit 1). */
export function exitOnStartupFailure(error: unknown): never {
  if (error instanceof ConfigurationError) {
    for (const problem of error.problems) console.error(`Configuration error: ${problem}`);
    process.exit(2);
  }
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

/**
 * The namespace retention a worker needs of the cluster it joins: closed histories must outlive
 * the archive's copy. Shorter refuses to start (one line naming what to set), or with
 * ALLIANCE_RETENTION_CHECK=warn, says so and starts.
 */
export function retentionProblem(namespace: string, retentionDays: number, minimumDays: number): string | null {
  if (retentionDays >= minimumDays) return null;
  const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
  return `ALLIANCE_RETENTION_CHECK: namespace ${namespace} keeps closed workflows ${days(retentionDays)}, the archive needs at least ${days(minimumDays)} (domain/retention-policy.json): raise it (temporal operator namespace update --retention ${minimumDays}d ${namespace}), or set ALLIANCE_RETENTION_CHECK=warn to start anyway`;
}
