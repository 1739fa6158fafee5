import { createHash, randomBytes } from 'node:crypto';
import { Actor, verifiedEmailOf, withVerifiedEmail } from '../../domain/actor';
import { sealedTextPattern, sealedTextPrefix, type TextSealer } from '../crypto/key-ring';
import type { Row, SqlDriver } from '../sql/driver';
import { migrate, type Migration } from '../sql/migrate';

/**
 * One browser session as the server keeps it. The browser holds only `id` (256 random bits, in
 * the session cookie); the store keeps its SHA-256, so a copy of the table logs nobody in.
 */
export interface BrowserSession {
  id: string;
  /** The provider's subject (`sub`) and session (`sid`), for its back-channel log-out. */
  subject: string;
  providerSession: string | null;
  /** Who the provider last said this is: re-derived at each refresh. */
  actor: Actor;
  /** The provider's refresh token (sealed under the payload keys at rest), for re-deriving the actor. */
  refreshToken: string | null;
  /** The forms' CSRF token: random, bound to this session, never derived from a key. */
  csrf: string;
  createdAt: number;
  refreshedAt: number;
  /** When the provider's session ends at the latest (the session is refused after it). */
  expiresAt: number;
  endedAt: number | null;
  endedWhy: string | null;
}

export type NewSession = Pick<BrowserSession, 'subject' | 'providerSession' | 'actor' | 'refreshToken' | 'expiresAt'>;

export interface SessionStore {
  /** A new session, with its random id and CSRF token. */
  create(session: NewSession, now?: number): Promise<BrowserSession>;
  /** The session of a cookie's id, ended or not; null when unknown. */
  get(id: string): Promise<BrowserSession | null>;
  /** The provider vouched for the session again: its actor, refresh token and end as it now says. */
  refreshed(id: string, update: Pick<BrowserSession, 'actor' | 'refreshToken' | 'expiresAt'>, now?: number): Promise<void>;
  /** Ends one session now (log-out, a refused refresh); a later end changes nothing. */
  end(id: string, why: string, now?: number): Promise<void>;
  /** Ends every live session of the provider's session `sid`, or else of its subject `sub` (back-channel log-out); how many. */
  endAt(provider: { sid?: string; sub?: string }, why: string, now?: number): Promise<number>;
  /** Forgets the sessions that ended or expired before `before` (they name a person), and the Idempotency-Keys used before it; how many sessions. */
  purge(before: number): Promise<number>;
  /**
   * Remembers the request an Idempotency-Key (scoped to its person) was first used for, by its
   * digest, once; returns the digest it stands for, so a second use for another request is seen.
   */
  rememberKey(scope: string, digest: string, now?: number): Promise<string>;
  /** A person's calendar feed: a new random secret, kept only by its hash; their earlier feed is revoked. */
  createFeed(owner: string, actor: Actor, lang: string, now?: number): Promise<string>;
  /** Whom a feed's secret reads for, and in which language, while it is not revoked. */
  feed(secret: string): Promise<{ actor: Actor; lang: string } | null>;
  /** Revokes the person's feed at once; whether there was one. */
  revokeFeeds(owner: string, now?: number): Promise<boolean>;
  close(): Promise<void>;
}

const sessionMigrations: readonly Migration[] = [
  {
    version: 1,
    description: 'browser sessions by the hash of their id',
    async up(db) {
      await db.run(`CREATE TABLE IF NOT EXISTS browser_sessions (
        id_hash TEXT PRIMARY KEY, subject TEXT NOT NULL, provider_session TEXT, actor TEXT NOT NULL, refresh_token TEXT,
        csrf TEXT NOT NULL, created_at TEXT NOT NULL, refreshed_at TEXT NOT NULL, expires_at TEXT NOT NULL,
        ended_at TEXT, ended_why TEXT)`);
      await db.run('CREATE INDEX IF NOT EXISTS browser_sessions_provider ON browser_sessions (provider_session)');
      await db.run('CREATE INDEX IF NOT EXISTS browser_sessions_subject ON browser_sessions (subject)');
    },
  },
  {
    version: 2,
    description: "the e-mail address the provider verified for the session's person (sealed): where the door tells a PI's notices",
    up: (db) => db.run('ALTER TABLE browser_sessions ADD COLUMN verified_email TEXT'),
  },
  {
    version: 3,
    description: 'the request each Idempotency-Key was first used for, shared by every API replica',
    up: (db) => db.run('CREATE TABLE idempotency_keys (scope TEXT PRIMARY KEY, digest TEXT NOT NULL, first_used_at TEXT NOT NULL)'),
  },
  {
    version: 4,
    description: "each person's calendar feed, by the hash of its secret, revocable",
    async up(db) {
      await db.run(
        'CREATE TABLE calendar_feeds (secret_hash TEXT PRIMARY KEY, owner TEXT NOT NULL, actor TEXT NOT NULL, lang TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)',
      );
      await db.run('CREATE INDEX calendar_feeds_owner ON calendar_feeds (owner)');
    },
  },
];

const hashOf = (id: string): string => createHash('sha256').update(id).digest('hex');
const iso = (ms: number): string => new Date(ms).toISOString();
const REFRESH_CONTEXT = 'browser session refresh token';
const EMAIL_CONTEXT = 'browser session verified e-mail';

/** Browser sessions over SQL: a SQLite file for one machine, PostgreSQL (DATABASE_URL) for every API replica. */
export class SqlSessionStore implements SessionStore {
  private constructor(
    private readonly db: SqlDriver,
    private readonly sealer?: TextSealer,
  ) {}

  static async open(db: SqlDriver, options: { sealer?: TextSealer } = {}): Promise<SqlSessionStore> {
    await migrate(db, 'sessions', sessionMigrations);
    return new SqlSessionStore(db, options.sealer);
  }

  private sealed(token: string | null, context = REFRESH_CONTEXT): string | null {
    return token === null || !this.sealer ? token : this.sealer.seal(token, context);
  }

  private opened(stored: Row[string] | undefined, context: string): string | null {
    if (typeof stored !== 'string') return null;
    return this.sealer ? this.sealer.open(stored, context) : stored;
  }

  private toSession(id: string, r: Row): BrowserSession | null {
    const actor = Actor.safeParse(JSON.parse(String(r.actor)));
    if (!actor.success) return null;
    return {
      id,
      subject: String(r.subject),
      providerSession: r.provider_session === null ? null : String(r.provider_session),
      actor: withVerifiedEmail(actor.data, this.opened(r.verified_email, EMAIL_CONTEXT)),
      // A token that no longer opens (its key dropped from the ring) cannot refresh: the session ends at its next refresh.
      refreshToken: this.opened(r.refresh_token, REFRESH_CONTEXT),
      csrf: String(r.csrf),
      createdAt: Date.parse(String(r.created_at)),
      refreshedAt: Date.parse(String(r.refreshed_at)),
      expiresAt: Date.parse(String(r.expires_at)),
      endedAt: r.ended_at === null ? null : Date.parse(String(r.ended_at)),
      endedWhy: r.ended_why === null ? null : String(r.ended_why),
    };
  }

  async create(session: NewSession, now = Date.now()): Promise<BrowserSession> {
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    await this.db.run(
      'INSERT INTO browser_sessions (id_hash, subject, provider_session, actor, refresh_token, csrf, created_at, refreshed_at, expires_at, verified_email) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        hashOf(id),
        session.subject,
        session.providerSession,
        JSON.stringify(session.actor),
        this.sealed(session.refreshToken),
        csrf,
        iso(now),
        iso(now),
        iso(session.expiresAt),
        this.sealed(verifiedEmailOf(session.actor), EMAIL_CONTEXT),
      ],
    );
    return { ...session, id, csrf, createdAt: now, refreshedAt: now, endedAt: null, endedWhy: null };
  }

  async get(id: string): Promise<BrowserSession | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
    const row = await this.db.get('SELECT * FROM browser_sessions WHERE id_hash = ?', [hashOf(id)]);
    return row ? this.toSession(id, row) : null;
  }

  async refreshed(id: string, update: Pick<BrowserSession, 'actor' | 'refreshToken' | 'expiresAt'>, now = Date.now()): Promise<void> {
    await this.db.run(
      'UPDATE browser_sessions SET actor = ?, refresh_token = ?, verified_email = ?, expires_at = ?, refreshed_at = ? WHERE id_hash = ? AND ended_at IS NULL',
      [
        JSON.stringify(update.actor),
        this.sealed(update.refreshToken),
        this.sealed(verifiedEmailOf(update.actor), EMAIL_CONTEXT),
        iso(update.expiresAt),
        iso(now),
        hashOf(id),
      ],
    );
  }

  async end(id: string, why: string, now = Date.now()): Promise<void> {
    await this.db.run('UPDATE browser_sessions SET ended_at = ?, ended_why = ?, refresh_token = NULL WHERE id_hash = ? AND ended_at IS NULL', [
      iso(now),
      why,
      hashOf(id),
    ]);
  }

  async endAt(provider: { sid?: string; sub?: string }, why: string, now = Date.now()): Promise<number> {
    const [column, value] = provider.sid ? ['provider_session', provider.sid] : ['subject', provider.sub];
    if (!value) return 0;
    return this.db.transaction(`sessions ${value}`, async (tx) => {
      const live = await tx.get(`SELECT COUNT(*) AS n FROM browser_sessions WHERE ${column} = ? AND ended_at IS NULL`, [value]);
      await tx.run(`UPDATE browser_sessions SET ended_at = ?, ended_why = ?, refresh_token = NULL WHERE ${column} = ? AND ended_at IS NULL`, [
        iso(now),
        why,
        value,
      ]);
      return Number(live?.n ?? 0);
    });
  }

  async purge(before: number): Promise<number> {
    return this.db.transaction('sessions purge', async (tx) => {
      const where = 'WHERE ended_at < ? OR expires_at < ?';
      const gone = await tx.get(`SELECT COUNT(*) AS n FROM browser_sessions ${where}`, [iso(before), iso(before)]);
      await tx.run(`DELETE FROM browser_sessions ${where}`, [iso(before), iso(before)]);
      await tx.run('DELETE FROM idempotency_keys WHERE first_used_at < ?', [iso(before)]);
      return Number(gone?.n ?? 0);
    });
  }

  /** Retiring a payload key: refresh tokens and addresses sealed under it, sealed again under the current key; how many sessions. */
  async resealUnder(keyId: string): Promise<number> {
    if (!this.sealer) return 0;
    const under = sealedTextPattern(keyId);
    const rows = await this.db.all(
      "SELECT id_hash, refresh_token, verified_email FROM browser_sessions WHERE refresh_token LIKE ? ESCAPE '\\' OR verified_email LIKE ? ESCAPE '\\'",
      [under, under],
    );
    const again = (stored: unknown, context: string): string | null => {
      if (typeof stored !== 'string' || !stored.startsWith(sealedTextPrefix(keyId))) return (stored as string | null) ?? null;
      const plain = this.opened(stored, context);
      if (plain === null) throw new Error(`a browser session's ${context} does not open under key ${keyId}: nothing more re-sealed`);
      return this.sealed(plain, context);
    };
    for (const row of rows)
      await this.db.run(
        'UPDATE browser_sessions SET refresh_token = ?, verified_email = ? WHERE id_hash = ? AND refresh_token IS NOT DISTINCT FROM ? AND verified_email IS NOT DISTINCT FROM ?',
        [
          again(row.refresh_token, REFRESH_CONTEXT),
          again(row.verified_email, EMAIL_CONTEXT),
          String(row.id_hash),
          (row.refresh_token as string | null) ?? null,
          (row.verified_email as string | null) ?? null,
        ],
      );
    return rows.length;
  }

  async rememberKey(scope: string, digest: string, now = Date.now()): Promise<string> {
    await this.db.run('INSERT INTO idempotency_keys VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [scope, digest, iso(now)]);
    const row = await this.db.get('SELECT digest FROM idempotency_keys WHERE scope = ?', [scope]);
    return row ? String(row.digest) : digest;
  }

  async createFeed(owner: string, actor: Actor, lang: string, now = Date.now()): Promise<string> {
    const secret = randomBytes(32).toString('base64url');
    await this.db.transaction('calendar feeds', async (tx) => {
      await tx.run('UPDATE calendar_feeds SET revoked_at = ? WHERE owner = ? AND revoked_at IS NULL', [iso(now), owner]);
      await tx.run('INSERT INTO calendar_feeds VALUES (?, ?, ?, ?, ?, NULL)', [
        hashOf(secret),
        owner,
        JSON.stringify({ role: actor.role, id: actor.id }),
        lang,
        iso(now),
      ]);
    });
    return secret;
  }

  async feed(secret: string): Promise<{ actor: Actor; lang: string } | null> {
    const row = await this.db.get('SELECT actor, lang FROM calendar_feeds WHERE secret_hash = ? AND revoked_at IS NULL', [hashOf(secret)]);
    const actor = row ? Actor.safeParse(JSON.parse(String(row.actor))) : null;
    return actor?.success ? { actor: actor.data, lang: String(row!.lang) } : null;
  }

  async revokeFeeds(owner: string, now = Date.now()): Promise<boolean> {
    const live = await this.db.get('SELECT COUNT(*) AS n FROM calendar_feeds WHERE owner = ? AND revoked_at IS NULL', [owner]);
    await this.db.run('UPDATE calendar_feeds SET revoked_at = ? WHERE owner = ? AND revoked_at IS NULL', [iso(now), owner]);
    return Number(live?.n ?? 0) > 0;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
