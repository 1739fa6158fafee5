// The daily digest (activities/notices/digest.ts): one tick of its schedule sends each person who
// chose it one mail of the reminders that waited; and a person's choice, kept by their own
// workflow so that it has one writer and its history says who chose what, when.
import { condition, continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { chooseDigestUpdate, digestChoiceQuery, type DigestChoice } from '../messages/preferences';

const { sendDigests } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 10 },
});

const { recordDigestChoice } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** One tick of the digest's schedule. */
export async function digestWorkflow(): Promise<{ recipients: number; reminders: number }> {
  return await sendDigests();
}

/** Choices one run keeps before it continues as new: a person's history stays short. */
const CHOICES_PER_RUN = 200;

/** A person's preferences, by their verified e-mail address (the workflow id names it). */
export async function preferencesWorkflow(email: string, carried: DigestChoice = { daily: false, chosenAt: null }): Promise<void> {
  let choice = carried;
  let choices = 0;
  let writing = Promise.resolve();
  setHandler(digestChoiceQuery, () => choice);
  setHandler(chooseDigestUpdate, async ({ daily }) => {
    const at = new Date().toISOString();
    // In order, each written before its answer: the delivery activity reads what the person last chose.
    writing = writing.then(() => recordDigestChoice({ email, daily, at }));
    await writing;
    choice = { daily, chosenAt: at };
    choices++;
    return choice;
  });
  await condition(() => choices >= CHOICES_PER_RUN);
  await writing;
  await continueAsNew<typeof preferencesWorkflow>(email, choice);
}
