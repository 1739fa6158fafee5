// What every route and page reaches the service through: the Temporal clients of the gateway,
// each bounded in time. Built once by buildApi (server/app.ts).
import type { AuditClient } from '../../gateway/audit';
import type { CallClient } from '../../gateway/calls';
import type { NoticeClient } from '../../gateway/notices';
import type { PreferencesClient } from '../../gateway/preferences';
import type { ProjectClient } from '../../gateway/projects';

/** What the routes share: the service's Temporal clients, each call bounded in time. */
export interface Services {
  projects: ProjectClient;
  calls: CallClient;
  notices: NoticeClient;
  /** A person's preferences (the daily digest), kept by their own workflow. */
  preferences: PreferencesClient;
  audit(): AuditClient;
  /** Runs `work` with a deadline on every Temporal call it makes. */
  bounded<T>(kind: 'command' | 'bulk', work: () => Promise<T>): Promise<T>;
}
