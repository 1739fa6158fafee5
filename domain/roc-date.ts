import { z } from 'zod';
import { bounds } from './bounds';

/**
 * Dates of the Republic of China calendar as the ministry writes them: `105.09.12`,
 * `105.09.12 17:00`, `105年9月12日`, `105年9月12日下午5時`. ROC year = Gregorian year − 1911;
 * every time is Asia/Taipei (UTC+08:00). `24:00` is the end of the day, as in ISO 8601.
 */
const ROC_YEAR_OFFSET = 1911;
const TAIPEI_OFFSET_MS = 8 * 60 * 60 * 1000;

const DOTTED = /^(\d{2,3})\.(\d{1,2})\.(\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$/;
const CHINESE = /^(\d{2,3})年(\d{1,2})月(\d{1,2})日(?:\s*(上午|下午|中午)?\s*(\d{1,2})時(?:(\d{1,2})分)?)?$/;

/** The instant of a ROC date (and optional time) in Taipei; throws on anything else. */
export function parseRocDate(text: string): Date {
  const trimmed = text.trim();
  let year: number,
    month: number,
    day: number,
    hour = 0,
    minute = 0;
  const dotted = DOTTED.exec(trimmed);
  const chinese = dotted ? null : CHINESE.exec(trimmed);
  if (dotted) {
    [year, month, day] = [Number(dotted[1]), Number(dotted[2]), Number(dotted[3])];
    if (dotted[4] !== undefined) [hour, minute] = [Number(dotted[4]), Number(dotted[5])];
  } else if (chinese) {
    [year, month, day] = [Number(chinese[1]), Number(chinese[2]), Number(chinese[3])];
    if (chinese[5] !== undefined) {
      hour = Number(chinese[5]);
      minute = Number(chinese[6] ?? 0);
      if (chinese[4] === '下午' && hour < 12) hour += 12;
      if (chinese[4] === '上午' && hour === 12) hour = 0;
    }
  } else {
    throw new RangeError(`${JSON.stringify(text)} is not a ROC date: write 105.09.12, 105.09.12 17:00 or 105年9月12日`);
  }
  const gregorianYear = year + ROC_YEAR_OFFSET;
  const probe = new Date(Date.UTC(gregorianYear, month - 1, day));
  const validDay = probe.getUTCFullYear() === gregorianYear && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
  const validTime = (hour < 24 && minute < 60) || (hour === 24 && minute === 0);
  if (!validDay || !validTime) throw new RangeError(`${JSON.stringify(text)} names no such day or time`);
  return new Date(Date.UTC(gregorianYear, month - 1, day, hour, minute) - TAIPEI_OFFSET_MS);
}

function taipeiParts(instant: Date | string) {
  const local = new Date(new Date(instant).getTime() + TAIPEI_OFFSET_MS);
  return {
    rocYear: local.getUTCFullYear() - ROC_YEAR_OFFSET,
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
  };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * `105.09.12`, or `105.09.12 17:00` when the time is not midnight (or withTime is set), and
 * `105.09.12 17:00:30` when the instant is not on a whole minute: a call compressed to seconds
 * must not print two deadlines alike.
 */
export function formatRocDate(instant: Date | string, options: { withTime?: boolean } = {}): string {
  const p = taipeiParts(instant);
  const date = `${p.rocYear}.${pad(p.month)}.${pad(p.day)}`;
  const showTime = options.withTime ?? (p.hour !== 0 || p.minute !== 0 || p.second !== 0);
  if (!showTime) return date;
  return `${date} ${pad(p.hour)}:${pad(p.minute)}${p.second !== 0 ? `:${pad(p.second)}` : ''}`;
}

/** The instant on the Taipei clock in ISO 8601 with its offset: `2016-09-12T17:00:00+08:00`. */
export function formatTaipeiIso(instant: Date | string): string {
  const p = taipeiParts(instant);
  return `${p.rocYear + ROC_YEAR_OFFSET}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}+08:00`;
}

/** `105年9月12日`, with `下午5時` (or `下午5時30分`) when the time is not midnight. */
export function formatRocDateChinese(instant: Date | string): string {
  const p = taipeiParts(instant);
  const date = `${p.rocYear}年${p.month}月${p.day}日`;
  if (p.hour === 0 && p.minute === 0) return date;
  const period = p.hour < 12 ? '上午' : p.hour === 12 ? '中午' : '下午';
  const hour12 = p.hour > 12 ? p.hour - 12 : p.hour;
  return `${date}${period}${hour12}時${p.minute ? `${p.minute}分` : ''}`;
}

/** The ROC year an instant falls in, on the Taipei calendar. */
export function rocYearOf(instant: Date | string): number {
  return taipeiParts(instant).rocYear;
}

/**
 * An instant in data files: an ISO-8601 date-time with its offset, or a ROC date as above.
 * Always normalised to a UTC ISO string.
 */
export const Instant = z
  .string()
  .max(bounds.instant, 'expected an instant such as 2016-09-12T17:00:00+08:00')
  .transform((text, ctx) => {
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text);
    try {
      const date = iso ? new Date(text) : parseRocDate(text);
      if (Number.isNaN(date.getTime())) throw new RangeError('invalid');
      return date.toISOString();
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `expected an instant such as 2016-09-12T17:00:00+08:00 or a ROC date such as 105.09.12 17:00, got ${JSON.stringify(text)}`,
      });
      return z.NEVER;
    }
  });
