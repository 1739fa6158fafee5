// Opening a call from a form: its id, year and title, each date of its calendar as the ministry
// writes them (ROC: 105.09.12 17:00 or 105年9月12日; an ISO instant is taken too), and the
// programme's policy and notices from a template (a call already kept in domain/calls). What is
// drawn and read back is this schema's; the call it makes is then checked by the Call schema
// like any call file.
import { z } from 'zod';
import { Call, CallCalendar } from '../../domain/call';
import { alliance105 } from '../../domain/calls';
import { formatRocDate } from '../../domain/roc-date';

/** The calls whose policy and notices a new call may start from, by id. */
export const callTemplates: Record<string, Call> = { [alliance105.id]: alliance105 };

export const CallForm = z
  .object({
    callId: Call.shape.id,
    rocYear: Call.shape.rocYear,
    callTitle: Call.shape.title,
    template: z.enum(Object.keys(callTemplates) as [string, ...string[]]),
    calendar: CallCalendar,
  })
  .strict();
export type CallFormValue = z.input<typeof CallForm>;

/** Every instant of a calendar as a ROC date with its time: how the form shows a template's dates. */
function rocCalendar(value: unknown): unknown {
  if (typeof value === 'string') return formatRocDate(value, { withTime: true });
  if (Array.isArray(value)) return value.map(rocCalendar);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rocCalendar(v)]));
  return value;
}

/** The form as first shown: the template's calendar in ROC dates, to be edited for the new call. */
export function callFormFrom(template: Call): CallFormValue {
  return {
    callId: '',
    rocYear: template.rocYear + 1,
    callTitle: '',
    template: template.id,
    calendar: rocCalendar(template.calendar) as CallFormValue['calendar'],
  };
}

/** The call file the form makes: its own facts, the template's policy and notices. */
export function callFromForm(form: z.output<typeof CallForm>): Call {
  const template = callTemplates[form.template]!;
  return {
    id: form.callId,
    rocYear: form.rocYear,
    title: form.callTitle,
    calendar: form.calendar,
    policy: template.policy,
    ...(template.notifications && { notifications: template.notifications }),
  };
}
