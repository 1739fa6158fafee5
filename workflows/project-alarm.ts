// How a project sleeps until its next deadline or reminder, or a command: one timer per instant,
// kept across commands (kept-alarm-v1), or as runs before it did.
import { CancellationScope, condition, sleep } from '@temporalio/workflow';
import type { PatchCheck } from './patch-levels';

/**
 * Patch id of one timer per wake-up instant, kept across commands: before it, every command
 * cancelled the timer of the next deadline and started it again (two events a command).
 */
export const KEPT_ALARM_PATCH = 'kept-alarm-v1';

/** A timer for one instant, cancelled only when the instant to wake at changes. */
interface Alarm {
  at: string;
  rang: boolean;
  scope: CancellationScope;
}

function setAlarm(at: string): Alarm {
  const scope = new CancellationScope({ cancellable: true });
  const alarm: Alarm = { at, rang: false, scope };
  scope
    .run(() => sleep(Math.max(1, Date.parse(at) - Date.now())))
    .then(
      () => (alarm.rang = true),
      // Cancelled: a sooner or later instant replaced it.
      () => undefined,
    );
  return alarm;
}

/** The project's alarm between wake-ups: kept while the instant to wake at stays the same. */
export interface AlarmClock {
  alarm?: Alarm;
}

/** Waits until `changed()` (a command came), or `wakeAt` is reached; none: until a command. */
export async function sleepUntil(clock: AlarmClock, wakeAt: string | undefined, changed: () => boolean, patched: PatchCheck): Promise<void> {
  if (wakeAt && patched(KEPT_ALARM_PATCH)) {
    // The same instant as before keeps its timer: a command that moves no deadline adds no timer events.
    if (!clock.alarm || clock.alarm.at !== wakeAt || clock.alarm.rang) {
      clock.alarm?.scope.cancel();
      clock.alarm = setAlarm(wakeAt);
    }
    const ringing = clock.alarm;
    await condition(() => changed() || ringing.rang);
  } else if (wakeAt) {
    await condition(changed, Math.max(1, Date.parse(wakeAt) - Date.now()));
  } else {
    clock.alarm?.scope.cancel();
    clock.alarm = undefined;
    await condition(changed);
  }
}
