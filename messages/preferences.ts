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

/** The workflow id of a person's preferences: their verified e-mail address, in lower case. */
export const preferencesWorkflowId = (email: string): string => `preferences:${email.toLowerCase()}`;
