// What the command groups share: reading instants, divisions and amounts from the command line,
// describing an operation, drawing a bulk operation's progress, and one command per project event.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import type { Division } from '../../../domain/application';
import { Division as DivisionSchema } from '../../../domain/application';
import { parseRocDate, formatRocDate } from '../../../domain/roc-date';
import { type ProjectEventType, type ProjectPayload } from '../../../domain/project-events';
import type { ProjectView } from '../../../messages/project';
import type { CallView, OperationRecord } from '../../../messages/call';
import { AllianceError } from '../../../domain/errors';
import { ntd, progressBar, table } from '../output';
import { Call as CallSchema, type Call } from '../../../domain/call';
import { compressedCall, startingNow, tryOutCalendars, type TryOutCalendar } from '../../compressed-call';
import { projectId, type Session } from '../session';

export interface Globals {
  json?: boolean;
}

export type Print = (human: string, data: unknown) => void;

/** What an action gets: the session, how to print, the global options, its positional arguments (variadic ones flattened) and its options. */
export interface ActionContext {
  session: Session;
  print: Print;
  globals: Globals;
  args: string[];
  opts: Record<string, string>;
}
export type Runner = (action: (ctx: ActionContext) => Promise<void>) => (...args: unknown[]) => Promise<void>;

/** Instants on the command line: ISO with offset, or ROC (105.12.05 09:00). */
export function instant(text: string): string {
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text))) return new Date(text).toISOString();
  try {
    return parseRocDate(text).toISOString();
  } catch {
    throw new AllianceError('VALIDATION', `"${text}" is not an instant: write 2016-12-05T09:00:00+08:00 or 105.12.05 09:00.`);
  }
}

export function division(text: string | undefined): Division | undefined {
  if (text === undefined) return undefined;
  const parsed = DivisionSchema.safeParse(text);
  if (!parsed.success) throw new AllianceError('VALIDATION', `--division ${text}: expected one of ${DivisionSchema.options.join(', ')}.`);
  return parsed.data;
}

export function amount(text: string): number {
  const value = Number(text.replace(/[,_]/g, ''));
  if (!Number.isInteger(value) || value <= 0) throw new AllianceError('VALIDATION', `"${text}" is not an amount: write whole NT$, e.g. 1000000.`);
  return value;
}

export function describeProject(view: ProjectView): string {
  const c = view.context;
  const rows: [string, string][] = [
    ['project', view.workflowId],
    ['title', `${c.application.title} (${c.application.division}, ${c.application.region})`],
    ['institution', `${c.application.institution.name} (${c.application.institution.id})`],
    ['state', view.states.join(', ')],
    ['project year', String(view.projectYear)],
    ['overdue', view.overdue ? 'yes' : 'no'],
    ['reviews', `${c.reviews.length} of ${c.reviewers.length} assigned`],
    [
      'decision',
      c.decision ? (c.decision.outcome === 'approved' ? `approved ${c.decision.amountsNtd.map(ntd).join(' / ')}` : `rejected: ${c.decision.reason}`) : '—',
    ],
    ['paid', c.disbursements.length ? c.disbursements.map((d) => `Y${d.year}T${d.tranche} ${ntd(d.amountNtd)}`).join(', ') : '—'],
    ['reports accepted', c.acceptedReports.length ? c.acceptedReports.map((y) => `year ${y}`).join(', ') : '—'],
    ...(c.endReason ? [['ended because', c.endReason] as [string, string]] : []),
    ...view.deadlines.map((d) => ['next deadline', `${d.label}: ${formatRocDate(d.at, { withTime: true })}`] as [string, string]),
  ];
  return rows.map(([k, v]) => `${k.padEnd(17)} ${v}`).join('\n');
}

export function describeOperation(record: OperationRecord): string {
  const head = `${record.operation}: ${record.applied} of ${record.total} commands applied`;
  const unreachable = record.unreachable ?? [];
  const parts = [
    ...(record.skipped.length
      ? [
          `${record.skipped.length} skipped:\n${table(
            ['project', 'command', 'why'],
            record.skipped.map((s) => [s.projectId, s.type, s.reason]),
          )}`,
        ]
      : []),
    ...(unreachable.length
      ? [
          `${unreachable.length} unreachable (not sent; run the operation again once the project answers):\n${table(
            ['project', 'command', 'why'],
            unreachable.map((s) => [s.projectId, s.type, s.reason]),
          )}`,
        ]
      : []),
  ];
  return parts.length ? `${head}; ${parts.join('\n')}` : head;
}

export function describeCall(view: CallView): string {
  const byDivision = new Map<string, number>();
  for (const p of view.projects) byDivision.set(p.division, (byDivision.get(p.division) ?? 0) + 1);
  return [
    `call ${view.callId}: ${view.state}`,
    `${view.projects.length} applications, ${view.rosters.length} rosters, ${Object.keys(view.assignments).length} under review, ${view.invited.length} invited to present`,
    table(
      ['division', 'applications'],
      [...byDivision].sort().map(([d, n]) => [d, n]),
    ),
    ...view.rounds.map(
      (r) =>
        `written review ${r.scope}: started ${formatRocDate(r.startedAt, { withTime: true })}, ${r.closedAt ? `closed, ${r.missing.length} reviews missing` : `ends ${formatRocDate(r.deadline, { withTime: true })}`}`,
    ),
  ].join('\n');
}

/** The call file as given, or its calendar moved to start now or compressed (the policy stays the file's). */
export function calendarFor(file: unknown, opts: Record<string, string>): unknown {
  if (!opts.startsNow && !opts.opensAt && !opts.calendar && !opts.id) return file;
  if ([opts.startsNow, opts.opensAt, opts.calendar].filter(Boolean).length > 1)
    throw new AllianceError('VALIDATION', 'Give one of --starts-now, --opens-at INSTANT or --calendar NAME.');
  const parsed = CallSchema.safeParse(file);
  if (!parsed.success)
    throw new AllianceError('VALIDATION', `The call file is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
  const id = opts.id ?? parsed.data.id;
  if (opts.calendar) return compressedCall(parsed.data, Date.now(), tryOutCalendars[opts.calendar as TryOutCalendar], id);
  if (opts.startsNow) return startingNow(parsed.data, Date.now(), id);
  if (opts.opensAt) return startingNow(parsed.data, Date.parse(instant(opts.opensAt)), id);
  return { ...parsed.data, id };
}

/** Where a call just opened stands, in words: what closes next, and when (Taipei). */
export function nextCallDeadline(call: Call): string {
  const now = Date.now();
  const inWords = (at: string): string => {
    const seconds = Math.round((Date.parse(at) - now) / 1000);
    return seconds < 120 ? `${seconds} s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${Math.round((seconds / 86400) * 10) / 10} days`;
  };
  const c = call.calendar;
  if (Date.parse(c.applicationWindow.closes) > now) {
    return `Applications close ${formatRocDate(c.applicationWindow.closes, { withTime: true })} (in ${inWords(c.applicationWindow.closes)}); institutions' rosters are due ${formatRocDate(c.endorsementDeadline, { withTime: true })} (in ${inWords(c.endorsementDeadline)}); the written review can start after that.`;
  }
  if (Date.parse(c.endorsementDeadline) > now) {
    return `Its application deadline ${formatRocDate(c.applicationWindow.closes, { withTime: true })} has passed: it takes rosters only, until ${formatRocDate(c.endorsementDeadline, { withTime: true })}.`;
  }
  return `Its application and endorsement deadlines (${formatRocDate(c.applicationWindow.closes, { withTime: true })}, ${formatRocDate(c.endorsementDeadline, { withTime: true })}) have passed: it closes to applications at once. To try the service, open the file with --starts-now or --calendar tour.`;
}

/** Runs a call's bulk operation, drawing its progress while it runs. */
export async function withProgress<T>(session: Session, callId: string, label: string, work: Promise<T>): Promise<T> {
  const bar = progressBar(label);
  let finished = false;
  const poll = (async () => {
    while (!finished && process.stderr.isTTY) {
      const progress = await session.api.calls.progress(callId).catch(() => null);
      if (progress) bar.update(progress.done, progress.total);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  })();
  try {
    return await work;
  } finally {
    finished = true;
    await poll;
    bar.finish();
  }
}

export const required = (flags: string, description: string): Option => new Option(flags, description).makeOptionMandatory();

/** One subcommand per project event: `<group> <name> <project>` with its options, sending the event through the API. */
export function projectCommandFor(run: Runner) {
  return <T extends ProjectEventType>(
    parent: Command,
    name: string,
    type: T,
    description: string,
    options: Option[],
    payload: (o: Record<string, string>) => ProjectPayload<T>,
  ): void => {
    const command = parent.command(`${name} <project>`).description(`${description} (${type})`);
    for (const option of options) command.addOption(option);
    command.action(
      run(async ({ session: s, print, args, opts }) => {
        const id = projectId(args[0]!);
        const result = await s.api.projects.send(id, type, payload(opts));
        print(`${id}: ${result.states.join(', ')}`, result);
      }),
    );
  };
}

/**
 * Runs one of the service's own tools (dist/service/<script>) in a process of its own, its output
 * the user's, and answers its exit status. Those tools open the stores with the service's code, so
 * they run where the service is installed; the command-line package alone says where to run them.
 */
export function onServiceHost(script: string, args: string[], instead: string): Promise<number> {
  const tool = path.resolve(__dirname, '../../../service', script);
  if (!existsSync(tool))
    throw new AllianceError(
      'VALIDATION',
      `This runs on the service's host, from its installation (\`${instead}\`): ${tool} is not part of the command-line package.`,
    );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tool, ...args], { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}
