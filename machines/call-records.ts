// What a call records of its applications and operations: the call machine's context. Changed only
// by record events through the machine's pure `transition()`, like the project's context, so the
// call's law (call-judge.ts) and its plans (call-plans.ts) read one value that the call carries from
// run to run.
import type { Actor } from '../domain/actor';
import type { Division } from '../domain/application';
import type { BulkOutcome } from '../domain/bulk';
import type { CallCalendar } from '../domain/call';

export type RegisteredProject = {
  projectId: string;
  applicationId: string;
  institutionId: string;
  /** The PI the application names (calls opened before this field read it as absent). */
  piId?: string;
  /** The phase-1 project a phase-2 application continues (absent for phase 1, and in calls from before). */
  phase1ProjectId?: string;
  division: Division;
  region: string;
  title: string;
  requestedNtd: number;
};

export type Roster = {
  institutionId: string;
  rosterId: string;
  letterReference: string;
  applicationIds: string[];
  by: Actor;
  at: string;
};

export type ReviewRound = {
  scope: Division | 'all';
  startedAt: string;
  deadline: string;
  closedAt: string | null;
  missing: { projectId: string; reviewerId: string }[];
};

/** One bulk operation, as the office sees it afterwards. */
export type OperationRecord = BulkOutcome & {
  operation: string;
  by: Actor;
  at: string;
  /** The id of the update that ran it (absent in operations recorded before it was kept): a job's page finds it by that id after the call continued as new. */
  updateId?: string;
};

/** An office's move of one of the call's deadlines, for every project of the call. */
export type CallAmendment = {
  deadline: 'application' | 'endorsement';
  until: string;
  reason: string;
  by: Actor;
  at: string;
};

/** What a call records of its applications and operations. */
export type CallRecords = {
  projects: RegisteredProject[];
  rosters: Roster[];
  assignments: Record<string, string[]>;
  /** Reviewers who stepped down, per application: never drawn for it again (absent in calls from before). */
  declined?: Record<string, string[]>;
  rounds: ReviewRound[];
  invited: string[];
  slots: Record<string, string>;
  operations: OperationRecord[];
};

/** The records and the call's dates as the office amended them: the call machine's context. */
export type CallContext = CallRecords & {
  calendar: CallCalendar;
  amendments: CallAmendment[];
};

/** What changes a call's records: one event each, applied by `applyRecord`. */
export type RecordEvent =
  | { type: 'record.project'; project: RegisteredProject }
  | { type: 'record.roster'; roster: Roster }
  /** Reviewers per application, replacing each named application's list. */
  | { type: 'record.assignments'; assignments: Record<string, string[]> }
  /** A reviewer stepped down from an application: off its list, and never drawn for it again. */
  | { type: 'record.declined'; applicationId: string; reviewerId: string }
  /** A round opened for a scope, unless that scope has one. */
  | { type: 'record.round'; round: ReviewRound }
  | { type: 'record.roundsClosed'; closed: { scope: Division | 'all'; closedAt: string; missing: ReviewRound['missing'] }[] }
  | { type: 'record.invited'; applicationIds: string[] }
  | { type: 'record.slots'; slots: Record<string, string> }
  | { type: 'record.operation'; record: OperationRecord }
  | { type: 'record.amendment'; amendment: CallAmendment };

export const emptyRecords = (calendar: CallCalendar): CallContext => ({
  projects: [],
  rosters: [],
  assignments: {},
  rounds: [],
  invited: [],
  slots: {},
  operations: [],
  calendar,
  amendments: [],
});

/**
 * The records a carried run left: since the records became the machine's context, in its persisted
 * snapshot; before, beside a snapshot without them (with the calendar and amendments).
 */
export function carriedRecords(carried: { snapshot: unknown } & Partial<CallContext>, opened: CallCalendar): CallContext {
  const inSnapshot = (carried.snapshot as { context?: Partial<CallContext> } | null)?.context;
  if (inSnapshot?.projects) return inSnapshot as CallContext;
  const { snapshot: _snapshot, transitions: _transitions, ...records } = carried as Partial<CallContext> & { snapshot: unknown; transitions?: number };
  return { ...emptyRecords(records.calendar ?? opened), ...records };
}

/** The records after one event. Pure: a new value, the old one untouched. */
export function applyRecord(records: CallContext, event: RecordEvent): CallContext {
  switch (event.type) {
    case 'record.project':
      return { ...records, projects: [...records.projects, event.project] };
    case 'record.roster':
      return { ...records, rosters: [...records.rosters, event.roster] };
    case 'record.assignments':
      return { ...records, assignments: { ...records.assignments, ...event.assignments } };
    case 'record.declined': {
      const { applicationId: id, reviewerId } = event;
      const declined = records.declined ?? {};
      return {
        ...records,
        assignments: { ...records.assignments, [id]: (records.assignments[id] ?? []).filter((r) => r !== reviewerId) },
        declined: { ...declined, [id]: [...(declined[id] ?? []), reviewerId] },
      };
    }
    case 'record.round':
      return records.rounds.some((r) => r.scope === event.round.scope) ? records : { ...records, rounds: [...records.rounds, event.round] };
    case 'record.roundsClosed':
      return {
        ...records,
        rounds: records.rounds.map((round) => {
          const closed = event.closed.find((c) => c.scope === round.scope);
          return closed && !round.closedAt ? { ...round, closedAt: closed.closedAt, missing: closed.missing } : round;
        }),
      };
    case 'record.invited':
      return {
        ...records,
        invited: [...records.invited, ...event.applicationIds.filter((id, i, all) => !records.invited.includes(id) && all.indexOf(id) === i)],
      };
    case 'record.slots':
      return { ...records, slots: { ...records.slots, ...event.slots } };
    case 'record.operation':
      return { ...records, operations: [...records.operations, event.record] };
    case 'record.amendment': {
      const { amendment } = event;
      const { calendar } = records;
      return {
        ...records,
        amendments: [...records.amendments, amendment],
        calendar:
          amendment.deadline === 'application'
            ? { ...calendar, applicationWindow: { ...calendar.applicationWindow, closes: amendment.until } }
            : { ...calendar, endorsementDeadline: amendment.until },
      };
    }
  }
}
