import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

/** The floor a project is measured against: one update that only counts, the same argument shape. */
export const bareCommand = defineUpdate<number, [{ actor: unknown; payload: unknown }]>('bare.command');
export const bareFinish = defineUpdate<number, []>('bare.finish');

/** A workflow that takes commands and counts them, until told to finish: Temporal's own cost of an update. */
export async function bareWorkflow(): Promise<number> {
  let commands = 0;
  let finished = false;
  setHandler(bareCommand, () => ++commands, { validator: (args) => { if (!args) throw new Error('no command'); } });
  setHandler(bareFinish, () => {
    finished = true;
    return commands;
  });
  await condition(() => finished);
  return commands;
}
