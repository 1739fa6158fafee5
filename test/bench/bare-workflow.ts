import { condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

/** The floor a project is measured against: one update that only counts, the same argument shape. */
export const bareCommand = defineUpdate<number, [{ actor: unknown; payload: unknown }]>('bare.command');
export const bareFinish = defineUpdate<number, []>('bare.finish');

/** A workflow that takes commands and counts them, until told to finish: Temporal's own cost of an update. */
export async function bareWorkflow(): Promise<number> {
  let commands = 0;
  let finished = false;
  setHandler(bareCommand, () => ++commands, {
    validator: (args) => {
      if (!args) throw new Error('no command');
    },
  });
  setHandler(bareFinish, () => {
    finished = true;
    return commands;
  });
  await condition(() => finished);
  return commands;
}

/** What the bare worker's one activity does: nothing, as fast as Temporal lets it. */
export interface BareActivities {
  bareAppend(n: number): Promise<void>;
}

const { bareAppend } = proxyActivities<BareActivities>({ startToCloseTimeout: '10 seconds' });

/**
 * The same, with one activity per command started and not awaited, as a project starts its
 * ledger append: Temporal's own cost of an update that leaves a durable step behind it.
 */
export async function bareWorkflowWithActivity(): Promise<number> {
  let commands = 0;
  let pending = 0;
  let finished = false;
  setHandler(
    bareCommand,
    () => {
      pending++;
      bareAppend(++commands)
        .finally(() => pending--)
        .catch(() => undefined);
      return commands;
    },
    {
      validator: (args) => {
        if (!args) throw new Error('no command');
      },
    },
  );
  setHandler(bareFinish, () => {
    finished = true;
    return commands;
  });
  await condition(() => finished && pending === 0);
  return commands;
}
