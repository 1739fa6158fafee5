/**
 * The arithmetic of ISO-8601 durations, without their schema (domain/duration.ts): what the light
 * workflows need (a notice's office alert), so their sandboxes never load zod.
 *
 * ISO-8601 durations (P3M, P1Y, P30D, PT5S…), the only form relative times take in the policy.
 * Calendar parts (years, months, days) are added on the Asia/Taipei calendar; Taipei keeps no
 * daylight saving, so a day is always 24 h there.
 */
export const ISO_DURATION = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export interface DurationParts {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

export function parseDuration(duration: string): DurationParts {
  const match = ISO_DURATION.exec(duration);
  if (!match) throw new RangeError(`${JSON.stringify(duration)} is not an ISO-8601 duration (e.g. P3M, P30D, PT5S)`);
  const n = (i: number): number => Number(match[i] ?? 0);
  return { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7) };
}

const TAIPEI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** `instant` moved by `duration` (backwards when sign is -1), months clamped to the month's end. */
export function addDuration(instant: Date | string, duration: string, sign: 1 | -1 = 1): Date {
  const parts = parseDuration(duration);
  // Work on Taipei wall-clock time expressed through the UTC accessors.
  const local = new Date(new Date(instant).getTime() + TAIPEI_OFFSET_MS);
  const totalMonths = sign * (parts.years * 12 + parts.months);
  if (totalMonths !== 0) {
    const day = local.getUTCDate();
    local.setUTCDate(1);
    local.setUTCMonth(local.getUTCMonth() + totalMonths);
    const lastDay = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 0)).getUTCDate();
    local.setUTCDate(Math.min(day, lastDay));
  }
  const fixedMs = ((parts.weeks * 7 + parts.days) * 86_400 + parts.hours * 3_600 + parts.minutes * 60 + parts.seconds) * 1000;
  return new Date(local.getTime() + sign * fixedMs - TAIPEI_OFFSET_MS);
}

/** The start of the n-th of a run of periods of `length` that begins at `first` (n = 1 is `first`). */
export function nthPeriodStart(first: Date | string, length: string, n: number): Date {
  let start = new Date(first);
  for (let i = 1; i < n; i++) start = addDuration(start, length);
  return start;
}

export function subtractDuration(instant: Date | string, duration: string): Date {
  return addDuration(instant, duration, -1);
}
