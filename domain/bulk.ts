// What a bulk operation did: carried in a call's operation records and returned to its caller.
import type { ProjectEventType } from '../domain/project-events';

export type BulkOutcome = {
  total: number;
  applied: number;
  /**
   * Commands the project refused: no longer applicable, or applied before by other means; with the
   * refusal's code (absent in operations recorded before it was kept) and the command's place in
   * the operation's list (absent before it was kept, and for what the call adds itself).
   */
  skipped: { projectId: string; type: ProjectEventType; reason: string; code?: string; command?: number }[];
  /**
   * Projects that did not answer within the per-command deadline (a workflow task that keeps
   * failing, no worker): their remaining commands were not sent; the operation went on without them.
   * Absent in operations recorded before it existed.
   */
  unreachable?: { projectId: string; type: ProjectEventType; reason: string; command?: number }[];
};
