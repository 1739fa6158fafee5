import type { Socket } from 'node:net';
import type { Transporter } from 'nodemailer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

/**
 * How long a connection to the relay stays open with nothing to send. A burst of notices (a
 * transition's recipients, the office's bulk step over a whole call) goes over connections
 * already greeted: a relay's greeting can take a while on purpose (smtp-server waits 100 ms to
 * catch clients that talk too soon, Postfix's postscreen longer), and TLS and login are paid once.
 */
export const RELAY_IDLE_MS = 2_000;
/** Connections kept open at most per relay: about as many as deliveries run at once. */
const MAX_IDLE = 8;

/** A connection to the relay, ready for a message; `reused` when it has carried one before. */
export interface RelayConnection {
  connection: SMTPConnection;
  reused: boolean;
}

interface Idle {
  connection: SMTPConnection;
  timer: NodeJS.Timeout;
}

type Settings = { options: SMTPConnection.Options; auth?: SMTPConnection.Credentials };

// The socket is the connection's own; an idle one must not keep a stopping worker alive.
const socketOf = (connection: SMTPConnection): Socket | undefined => (connection as unknown as { _socket?: Socket | false })._socket || undefined;
const isOpen = (connection: SMTPConnection): boolean => {
  const state = connection as unknown as { _destroyed?: boolean; _closing?: boolean };
  return !state._destroyed && !state._closing;
};

/** The open connections of one transport's relay, kept between messages for a short while. */
class RelayConnections {
  private readonly idle: Idle[] = [];

  constructor(private readonly settings: Settings) {}

  /** An idle connection still open, or a new one, greeted (and logged in). */
  async take(): Promise<RelayConnection> {
    for (let kept = this.idle.pop(); kept; kept = this.idle.pop()) {
      clearTimeout(kept.timer);
      if (!isOpen(kept.connection)) continue;
      socketOf(kept.connection)?.ref();
      return { connection: kept.connection, reused: true };
    }
    return { connection: await this.open(), reused: false };
  }

  /** Back for the next message after a completed one; closed when idle too long or too many are idle. */
  give(connection: SMTPConnection): void {
    if (!isOpen(connection)) return;
    if (this.idle.length >= MAX_IDLE) {
      quit(connection);
      return;
    }
    const kept: Idle = {
      connection,
      timer: setTimeout(() => {
        this.drop(kept);
        quit(connection);
      }, RELAY_IDLE_MS),
    };
    kept.timer.unref();
    socketOf(connection)?.unref();
    this.idle.push(kept);
  }

  private drop(kept: Idle): void {
    const at = this.idle.indexOf(kept);
    if (at >= 0) this.idle.splice(at, 1);
  }

  private async open(): Promise<SMTPConnection> {
    const connection = new SMTPConnection(this.settings.options);
    // A relay may end an idle connection (its own timeout, a restart): it leaves the pool, and an
    // 'error' with nobody listening would crash the worker.
    connection.on('error', () => undefined);
    connection.once('end', () => {
      const kept = this.idle.find((k) => k.connection === connection);
      if (kept) {
        clearTimeout(kept.timer);
        this.drop(kept);
      }
    });
    try {
      await new Promise<void>((resolve, reject) => {
        connection.once('error', reject);
        connection.connect((error?: Error | null) => {
          connection.off('error', reject);
          if (error) reject(error);
          else resolve();
        });
      });
      if (this.settings.auth)
        await new Promise<void>((resolve, reject) => connection.login(this.settings.auth, (error) => (error ? reject(error) : resolve())));
      return connection;
    } catch (error) {
      connection.close();
      throw error;
    }
  }
}

function quit(connection: SMTPConnection): void {
  try {
    connection.quit();
  } catch {
    connection.close();
  }
}

const pools = new WeakMap<Transporter, RelayConnections>();

/** The kept connections to a transport's relay (host, port, TLS, credentials as the transport has them). */
export function relayConnections(transport: Transporter): RelayConnections {
  let pool = pools.get(transport);
  if (!pool) {
    const smtp = transport.transporter as unknown as Settings;
    pool = new RelayConnections({ options: smtp.options, ...(smtp.auth ? { auth: smtp.auth } : {}) });
    pools.set(transport, pool);
  }
  return pool;
}
