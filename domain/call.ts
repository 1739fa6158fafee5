import { z } from 'zod';
import { IdText, TitleText } from './bounds';
import { NotificationPolicy } from './notification-policy';
import { ProgrammePolicy } from './policy';
import { Instant } from './roc-date';

/** A window between two instants; `closes` is exclusive (24:00 of the last day). */
export const Window = z
  .object({ opens: Instant, closes: Instant })
  .strict()
  .refine((w) => w.opens < w.closes, { message: 'expected the window to open before it closes' });
export type Window = z.infer<typeof Window>;

/** The dates of one call as instants (Asia/Taipei in the data file, UTC once parsed). */
export const CallCalendar = z
  .object({
    applicationWindow: Window,
    endorsementDeadline: Instant,
    interimReportDeadline: Instant,
    reviewPeriod: Window,
    /** The first project year starts here (1 Feb in the deck); later years follow by policy. */
    firstProjectYearStarts: Instant,
    firstYearTrancheWindows: z.array(Window).length(2),
    siteVisitWindow: Window,
    resultsExhibition: Window,
  })
  .strict()
  .superRefine((c, ctx) => {
    const order: [string, string, string][] = [
      ['applicationWindow.closes', c.applicationWindow.closes, c.endorsementDeadline],
      ['endorsementDeadline', c.endorsementDeadline, c.reviewPeriod.opens],
      ['reviewPeriod.closes', c.reviewPeriod.closes, c.firstProjectYearStarts],
    ];
    for (const [field, earlier, later] of order) {
      if (earlier > later) ctx.addIssue({ code: 'custom', path: field.split('.'), message: `expected ${field} to come before the next step of the call` });
    }
  });
export type CallCalendar = z.infer<typeof CallCalendar>;

export const Call = z
  .object({
    id: IdText().regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, 'expected letters, digits and hyphens, e.g. alliance-105'),
    rocYear: z.number().int().min(1),
    title: TitleText().min(1),
    calendar: CallCalendar,
    policy: ProgrammePolicy,
    /** Who is told what, and the reminder schedule; a call without it sends no email. */
    notifications: NotificationPolicy.optional(),
  })
  .strict();
export type Call = z.infer<typeof Call>;
