// A person's preferences, kept by their own workflow (workflows/digest-workflow.ts): what the door
// sends it and what it answers.
import { defineQuery, defineUpdate } from '@temporalio/workflow';

export interface DigestChoice {
  /** The reminders that may wait come once a day in one mail. */
  daily: boolean;
  chosenAt: string | null;
}

/** Chooses (or stops) the daily digest of reminders; answers the choice as kept. */
export const chooseDigestUpdate = defineUpdate<DigestChoice, [{ daily: boolean }]>('preferences.chooseDigest');
export const digestChoiceQuery = defineQuery<DigestChoice>('preferences.digest');

/**
 * The workflow id of a person's preferences: the service's task queue (a deployment's is fixed;
 * services sharing a Temporal namespace keep apart) and their verified e-mail address, in lower case.
 */
export const preferencesWorkflowId = (taskQueue: string, email: string): string => `preferences:${taskQueue}:${email.toLowerCase()}`;
