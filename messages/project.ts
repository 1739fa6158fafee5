// The messages of projectWorkflow, shared by the workflow and the client.
import type { UpdateDefinition } from '@temporalio/common';
import type { CarriedNotices, SentNotice } from './notices';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor, Role } from '../domain/actor';
import type { Application } from '../domain/application';
import type { Call } from '../domain/call';
import type { ProjectEventType, ProjectPayload } from '../domain/project-events';
import { projectEventTypes } from '../domain/project-events';
import type { ProjectView, TransitionLogEntry } from '../machines/views';

export interface ProjectWorkflowInput {
  call: Call;
  application: Application;
  /** The patches this run has without markers (`patch-levels.ts`); absent in runs started before levels. */
  patchLevel?: number;
  /** Present after continue-as-new: where the previous run left off. */
  carried?: { snapshot: unknown; log: TransitionLogEntry[]; notices?: CarriedNotices };
}

export interface CommandArgs<T extends ProjectEventType = ProjectEventType> {
  actor: Actor;
  payload: ProjectPayload<T>;
  /** The transitions the sender saw (the ETag it read): refused when the project has had more or fewer since. */
  ifMatch?: number;
}

export type { ProjectView, TransitionLogEntry } from '../machines/views';

/**
 * What a closed project's workflow returns: its last view, its whole transition log and the chain
 * (first run id) the log belongs to — what `audit verify` compares without a replay.
 */
export type ProjectOutcome = ProjectView & { transitionLog?: TransitionLogEntry[]; chainId?: string };

export interface CommandResult {
  lifecycle: string;
  states: string[];
  projectYear: number;
  /** The transitions recorded after this command: the project's new ETag (absent in answers from before it was kept). */
  seq?: number;
}

/** One update per machine event; the update's name is the event's type, e.g. `tranche.request`. */
export const projectUpdates = Object.fromEntries(projectEventTypes.map((type) => [type, defineUpdate<CommandResult, [CommandArgs]>(type)])) as {
  [T in ProjectEventType]: UpdateDefinition<CommandResult, [CommandArgs<T>], T>;
};

/** Commands in one batch at most: a call's bulk operation sends a project its review start and assignments together. */
export const MAX_BATCH_COMMANDS = 50;

/** One command of a batch: the event's type, who acts, and its payload. */
export interface BatchCommand<T extends ProjectEventType = ProjectEventType> extends CommandArgs<T> {
  type: T;
}

/**
 * Several commands for one project, applied in order in one step, or none of them: the validator
 * judges each against the state the ones before it leave, so a batch with a command that is not
 * legal leaves no trace. Their ledger entries and notices go in one activity. A call's bulk
 * operations send it; a refused batch is sent again one command at a time.
 */
export const projectBatchUpdate = defineUpdate<CommandResult, [{ commands: BatchCommand[] }]>('project.commands');

export const projectStateQuery = defineQuery<ProjectView>('project.state');
export const offeredEventsQuery = defineQuery<Record<Role, ProjectEventType[]>>('project.offeredEvents');
export const transitionLogQuery = defineQuery<TransitionLogEntry[]>('project.transitionLog');
/** The notices the project delivered itself (those handed to a notice workflow say so). */
export const projectNoticesQuery = defineQuery<readonly SentNotice[]>('project.notices');
