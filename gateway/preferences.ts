// The door's side of a person's preferences and of the daily digest's schedule.
import { ScheduleAlreadyRunning, WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { chooseDigestUpdate, digestChoiceQuery, preferencesWorkflowId, type DigestChoice } from '../messages/preferences';
import type { preferencesWorkflow } from '../workflows/digest-workflow';

export const digestScheduleId = (taskQueue: string): string => `digest:${taskQueue}`;

/**
 * Makes sure the daily digest goes out every day at `hour` o'clock Taipei time: each tick sends
 * every person who chose it the reminders that waited. Every worker may call this; the first creates it.
 */
export async function ensureDigestSchedule(client: Client, taskQueue: string, hour: number): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: digestScheduleId(taskQueue),
      spec: { calendars: [{ hour, minute: 0, second: 0 }], timezone: 'Asia/Taipei' },
      action: { type: 'startWorkflow', workflowType: 'digestWorkflow', taskQueue, workflowId: `digest:${taskQueue}`, args: [] },
      policies: { catchupWindow: '6 hours' },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
}

/** A person's preferences, through their workflow: the only writer of their choice. */
export class PreferencesClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  /** Chooses the daily digest (or stops it); starts the person's workflow on their first choice. */
  chooseDigest(email: string, daily: boolean): Promise<DigestChoice> {
    const address = email.toLowerCase();
    return this.client.workflow.executeUpdateWithStart(chooseDigestUpdate, {
      args: [{ daily }],
      startWorkflowOperation: new WithStartWorkflowOperation<typeof preferencesWorkflow>('preferencesWorkflow', {
        workflowId: preferencesWorkflowId(this.taskQueue, address),
        taskQueue: this.taskQueue,
        args: [address],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
  }

  /** The person's choice: none made yet is no digest. */
  async digest(email: string): Promise<DigestChoice> {
    try {
      return await this.client.workflow.getHandle(preferencesWorkflowId(this.taskQueue, email)).query(digestChoiceQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return { daily: false, chosenAt: null };
      throw error;
    }
  }
}
