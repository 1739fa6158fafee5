// The messages of callWorkflow, shared by the workflow and the client.
import type { InstitutionAddress } from '../domain/institutions';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../domain/actor';
import type { ApplicationInput, Division } from '../domain/application';
import type { Call } from '../domain/call';
import type { RankedApplication } from '../domain/ranking';
import type { Reviewer } from '../domain/reviewers';
import type { BulkOutcome } from '../domain/bulk';
import type { CallAmendment, CallRecords, OperationRecord, ReviewRound } from '../machines/call-records';

export type { CallAmendment, CallRecords, OperationRecord, RegisteredProject, ReviewRound, Roster } from '../machines/call-records';

export interface CallWorkflowInput {
  call: Call;
  reviewerPool: Reviewer[];
  /** The office's registry of institutions: where each research office is told (absent in calls opened before it). */
  institutions?: InstitutionAddress[];
  /** Continue as new once a run's history holds this many events (default 10,000; tests lower it). */
  continueAsNewAfterEvents?: number;
  /** Present after continue-as-new: everything the previous run knew. */
  carried?: CarriedCall;
}

/**
 * A call's state, carried from one run to the next: the machine's persisted snapshot, whose context
 * holds the call's records. Runs from before the records were the machine's context carried them
 * beside a snapshot without them (the optional fields), and are read so.
 */
export type CarriedCall = Partial<CallRecords> & {
  snapshot: unknown;
  calendar?: Call['calendar'];
  amendments?: CallAmendment[];
  /** How many transitions the ledger holds of this call: the next one's number follows. */
  transitions: number;
};

export type CallView = CallRecords & {
  callId: string;
  state: string;
  /** The call's reviewer pool: the office's to see (the views drop it for everyone else). */
  reviewerPool?: Reviewer[];
  /** The call's title and calendar, as opened (the status query's; public to everyone who may read the call). */
  title?: string;
  calendar?: Call['calendar'];
  /** The call's programme policy (the status query's): the door asks the law with it before registering an application. */
  policy?: Call['policy'];
  /** The deadlines the office moved, earliest first (the calendar above shows them moved). */
  amendments?: CallAmendment[];
};

type WithActor<T> = { actor: Actor } & T;
export type ActorArgs = WithActor<object>;
export type RegisterArgs = WithActor<{ application: ApplicationInput }>;
export type RosterArgs = WithActor<{ rosterId: string; letterReference: string; applicationIds: string[] }>;
export type ScopeArgs = WithActor<{ division?: Division }>;
export type InviteArgs = WithActor<{ topPerDivision?: number; applicationIds?: string[] }>;
export type AssignArgs = WithActor<{ applicationId: string; reviewerId: string }>;
export type DeclineArgs = WithActor<{ applicationId: string; reason: string; conflict: boolean }>;
export type ScheduleArgs = WithActor<{ startsAt: string }>;
export type AmendArgs = WithActor<{ deadline: CallAmendment['deadline']; until: string; reason: string }>;

export const registerApplicationUpdate = defineUpdate<string, [RegisterArgs]>('call.registerApplication');
export const submitRosterUpdate = defineUpdate<OperationRecord, [RosterArgs]>('call.submitRoster');
export const assignReviewerUpdate = defineUpdate<OperationRecord, [AssignArgs]>('call.assignReviewer');
export const declineReviewUpdate = defineUpdate<OperationRecord, [DeclineArgs]>('call.declineReview');
export const startWrittenReviewUpdate = defineUpdate<OperationRecord, [ScopeArgs]>('call.startWrittenReview');
export const closeWrittenReviewUpdate = defineUpdate<ReviewRound[], [ScopeArgs]>('call.closeWrittenReview');
export const invitePresentationsUpdate = defineUpdate<OperationRecord, [InviteArgs]>('call.invitePresentations');
export const schedulePresentationsUpdate = defineUpdate<OperationRecord, [ScheduleArgs]>('call.schedulePresentations');
export const startDecisionMeetingUpdate = defineUpdate<Record<string, RankedApplication[]>, [ActorArgs]>('call.startDecisionMeeting');
export const announceUpdate = defineUpdate<OperationRecord, [ActorArgs]>('call.announce');
export const closeCallUpdate = defineUpdate<string, [ActorArgs]>('call.close');
export const amendDeadlineUpdate = defineUpdate<OperationRecord, [AmendArgs]>('call.amendDeadline');

export const callStatusQuery = defineQuery<CallView>('call.status');

/** What the office's exhibition selection chose, and what each chosen project's law said. */
export interface ExhibitionOutcome {
  projectYear: number;
  chosen: { projectId: string; rank: number; incomeNtd: number; countedMembers: number | null }[];
  outcome: BulkOutcome;
}
