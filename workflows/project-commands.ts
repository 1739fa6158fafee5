// A project's commands: one update per event type and one for a batch, each judged by the law in
// its validator (a refusal leaves no trace) and again by its handler, which records the transition.
import { isUnsealed, unsealedRefusal } from '../messages/sealed';
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import { Actor } from '../domain/actor';
import { projectEventTypes, type ProjectEvent } from '../domain/project-events';
import { apply, judge, judgeInOrder, type BatchStep, type Command, type ProjectSnapshot, type Refusal } from '../machines/judge';
import { MAX_BATCH_COMMANDS, projectBatchUpdate, projectUpdates, type CommandArgs, type CommandResult } from '../messages/project';

const now = (): string => new Date().toISOString();

/** A refused command, as the caller sees it: the code says which check refused, the message why. */
function refusalFailure(refusal: Pick<Refusal, 'code' | 'message' | 'details'>): ApplicationFailure {
  return ApplicationFailure.create({ type: refusal.code, message: refusal.message, details: [refusal.details], nonRetryable: true });
}

/** A batch's commands, each naming its actor; a batch that is not one is refused whole. */
function batchCommands(args: unknown): Command[] {
  const commands = (args as { commands?: unknown } | undefined)?.commands;
  if (!Array.isArray(commands) || commands.length === 0 || commands.length > MAX_BATCH_COMMANDS) {
    throw refusalFailure({
      code: 'INVALID_PAYLOAD',
      message: `project.commands was refused: send 1 to ${MAX_BATCH_COMMANDS} commands, as { commands: [{ type, actor, payload }] }.`,
      details: [],
    });
  }
  return commands.map((command: { type?: unknown; actor?: unknown; payload?: unknown } | null, i) => {
    const actor = Actor.safeParse(command?.actor);
    if (!actor.success) {
      throw refusalFailure({
        code: 'INVALID_PAYLOAD',
        message: `project.commands was refused: command ${i + 1} names no acting role and id (actor: { role, id }).`,
        details: actor.error.issues.map((issue) => issue.message),
      });
    }
    return { type: String(command?.type), actor: actor.data, payload: command?.payload };
  });
}

/** What the command handlers need of the project's run. */
export interface ProjectRun {
  snapshot(): ProjectSnapshot;
  /**
   * The project's version at `at`: the transitions recorded so far and the deadlines due by then
   * that are not yet recorded (each will be one transition), so an If-Match read before a deadline
   * passed no longer matches once it has, whether or not its timer has fired yet.
   */
  seqAt(at: string): number;
  /** Fires the deadlines due by now, recording them, before a command is judged. */
  enforceDeadlines(): void;
  /** The state at `at` once the deadlines due by then have fired, without recording them. */
  stateAt(at: string): ProjectSnapshot;
  record(before: ProjectSnapshot, event: ProjectEvent, after: ProjectSnapshot): void;
  recordBatch(steps: BatchStep[]): void;
  result(): CommandResult;
}

export function handleCommands(run: ProjectRun): void {
  for (const type of projectEventTypes) {
    setHandler(
      projectUpdates[type] as UpdateDefinition<CommandResult, [CommandArgs], string>,
      (args: CommandArgs) => {
        run.enforceDeadlines();
        const verdict = judge(run.snapshot(), { type, actor: args.actor, payload: args.payload }, now(), { ownership: false });
        if (!verdict.ok) throw refusalFailure(verdict);
        run.record(run.snapshot(), verdict.event, apply(run.snapshot(), verdict.event));
        return Promise.resolve(run.result());
      },
      {
        // Runs before the update enters history: a refusal leaves no trace.
        validator: (args: CommandArgs) => {
          if (isUnsealed(args)) throw refusalFailure({ code: 'FORBIDDEN', message: unsealedRefusal(type), details: [] });
          const actor = Actor.safeParse(args?.actor);
          if (!actor.success) {
            throw refusalFailure({
              code: 'INVALID_PAYLOAD',
              message: `${type} was refused: name the acting role and id (actor: { role, id }).`,
              details: actor.error.issues.map((i) => i.message),
            });
          }
          const at = now();
          // Sent against the state its sender saw: refused, leaving no trace, once the project has moved on
          // (a deadline passed since counts, recorded or not).
          const version = run.seqAt(at);
          if (args.ifMatch !== undefined && args.ifMatch !== version) {
            throw ApplicationFailure.create({
              type: 'STALE',
              message: `${type} was refused: it was sent against the project as it stood after transition ${args.ifMatch}, and it stands after transition ${version} now; read it again and decide anew.`,
              nonRetryable: true,
            });
          }
          const current = run.stateAt(at);
          const verdict = judge(current, { type, actor: actor.data, payload: args.payload }, at, { fromOutside: true });
          if (!verdict.ok) throw refusalFailure(verdict);
        },
      },
    );
  }

  setHandler(
    projectBatchUpdate,
    (args) => {
      run.enforceDeadlines();
      const verdict = judgeInOrder(run.snapshot(), batchCommands(args), now(), { ownership: false });
      if (!verdict.ok) throw refusalFailure(verdict);
      run.recordBatch(verdict.steps);
      return Promise.resolve(run.result());
    },
    {
      // As a single command's: the whole batch is judged before it enters history, or none of it does.
      validator: (args) => {
        if (isUnsealed(args)) throw refusalFailure({ code: 'FORBIDDEN', message: unsealedRefusal('project.commands'), details: [] });
        const at = now();
        const current = run.stateAt(at);
        const verdict = judgeInOrder(current, batchCommands(args), at, { fromOutside: true });
        if (!verdict.ok) throw refusalFailure({ ...verdict, message: `project.commands was refused: ${verdict.message}` });
      },
    },
  );
}
