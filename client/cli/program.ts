import { Command, Option } from 'commander';
import type { Division } from '../../domain/application';
import { Division as DivisionSchema } from '../../domain/application';
import { parseRocDate, formatRocDate } from '../../domain/roc-date';
import { AmendableDeadline, type ProjectEventType, type ProjectPayload } from '../../domain/project-events';
import type { ProjectView } from '../../messages/project';
import type { CallView, OperationRecord } from '../../messages/call';
import { AllianceError, errorCodes } from '../../domain/errors';
import type { NoticeSummary } from '../../messages/notices';
import { ntd, progressBar, table } from './output';
import { ApiClient } from '../api-client';
import { Call as CallSchema, type Call } from '../../domain/call';
import { RosterBody } from '../../domain/api';
import { compressedCall, startingNow, tryOutCalendars, type TryOutCalendar } from '../compressed-call';
import { credentialsFile, forgetLogin, loadLogin } from './credentials';
import { deviceLogin } from './login';
import { apiUrl, projectId, readJsonFile, type Session } from './session';
import { checkedBundle, checkedGrowth, trustedCheckpoint, verifierFrom } from './audit-checks';
import { generateLogKey } from '../../tlog/checkpoint';
import { rotateKeyFile } from '../../tlog/key-file';
import { writeFileSync } from 'node:fs';
import { DEMO_TIMING, demoAccountsOf, runDemo } from './demo';

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
function instant(text: string): string {
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text))) return new Date(text).toISOString();
  try {
    return parseRocDate(text).toISOString();
  } catch {
    throw new AllianceError('VALIDATION', `"${text}" is not an instant: write 2016-12-05T09:00:00+08:00 or 105.12.05 09:00.`);
  }
}

function division(text: string | undefined): Division | undefined {
  if (text === undefined) return undefined;
  const parsed = DivisionSchema.safeParse(text);
  if (!parsed.success) throw new AllianceError('VALIDATION', `--division ${text}: expected one of ${DivisionSchema.options.join(', ')}.`);
  return parsed.data;
}

function amount(text: string): number {
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
    ['decision', c.decision ? (c.decision.outcome === 'approved' ? `approved ${c.decision.amountsNtd.map(ntd).join(' / ')}` : `rejected: ${c.decision.reason}`) : '—'],
    ['paid', c.disbursements.length ? c.disbursements.map((d) => `Y${d.year}T${d.tranche} ${ntd(d.amountNtd)}`).join(', ') : '—'],
    ['reports accepted', c.acceptedReports.length ? c.acceptedReports.map((y) => `year ${y}`).join(', ') : '—'],
    ...(c.endReason ? [['ended because', c.endReason] as [string, string]] : []),
    ...view.deadlines.map((d) => ['next deadline', `${d.label}: ${formatRocDate(d.at, { withTime: true })}`] as [string, string]),
  ];
  return rows.map(([k, v]) => `${k.padEnd(17)} ${v}`).join('\n');
}

function describeOperation(record: OperationRecord): string {
  const head = `${record.operation}: ${record.applied} of ${record.total} commands applied`;
  const unreachable = record.unreachable ?? [];
  const parts = [
    ...(record.skipped.length ? [`${record.skipped.length} skipped:\n${table(['project', 'command', 'why'], record.skipped.map((s) => [s.projectId, s.type, s.reason]))}`] : []),
    ...(unreachable.length ? [`${unreachable.length} unreachable (not sent; run the operation again once the project answers):\n${table(['project', 'command', 'why'], unreachable.map((s) => [s.projectId, s.type, s.reason]))}`] : []),
  ];
  return parts.length ? `${head}; ${parts.join('\n')}` : head;
}

function describeCall(view: CallView): string {
  const byDivision = new Map<string, number>();
  for (const p of view.projects) byDivision.set(p.division, (byDivision.get(p.division) ?? 0) + 1);
  return [
    `call ${view.callId}: ${view.state}`,
    `${view.projects.length} applications, ${view.rosters.length} rosters, ${Object.keys(view.assignments).length} under review, ${view.invited.length} invited to present`,
    table(['division', 'applications'], [...byDivision].sort().map(([d, n]) => [d, n])),
    ...view.rounds.map((r) => `written review ${r.scope}: started ${formatRocDate(r.startedAt, { withTime: true })}, ${r.closedAt ? `closed, ${r.missing.length} reviews missing` : `ends ${formatRocDate(r.deadline, { withTime: true })}`}`),
  ].join('\n');
}

/** The call file as given, or its calendar moved to start now or compressed (the policy stays the file's). */
function calendarFor(file: unknown, opts: Record<string, string>): unknown {
  if (!opts.startsNow && !opts.opensAt && !opts.calendar && !opts.id) return file;
  if ([opts.startsNow, opts.opensAt, opts.calendar].filter(Boolean).length > 1) throw new AllianceError('VALIDATION', 'Give one of --starts-now, --opens-at INSTANT or --calendar NAME.');
  const parsed = CallSchema.safeParse(file);
  if (!parsed.success) throw new AllianceError('VALIDATION', `The call file is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
  const id = opts.id ?? parsed.data.id;
  if (opts.calendar) return compressedCall(parsed.data, Date.now(), tryOutCalendars[opts.calendar as TryOutCalendar], id);
  if (opts.startsNow) return startingNow(parsed.data, Date.now(), id);
  if (opts.opensAt) return startingNow(parsed.data, Date.parse(instant(opts.opensAt)), id);
  return { ...parsed.data, id };
}

/** Where a call just opened stands, in words: what closes next, and when (Taipei). */
function nextCallDeadline(call: Call): string {
  const now = Date.now();
  const inWords = (at: string): string => {
    const seconds = Math.round((Date.parse(at) - now) / 1000);
    return seconds < 120 ? `${seconds} s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds / 86400 * 10) / 10} days`;
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
async function withProgress<T>(session: Session, callId: string, label: string, work: Promise<T>): Promise<T> {
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

/** The `alliance` command line: every operation of every role, tables by default, --json for scripts. */
export function buildProgram(run: Runner): Command {
  const program = new Command('alliance')
    .description('Industry–Academia Technology Alliance programme (產學技術聯盟合作計畫): calls, projects, reviews and decisions.')
    .option('--json', 'print JSON for scripts instead of tables')
    .showHelpAfterError()
    .addHelpText('after', `\nExit status: 0 success; ${Object.entries(errorCodes).map(([code, { exitStatus }]) => `${exitStatus} ${code}`).join('; ')}; 1 anything else.`);

  program.command('login').description('log in through the identity provider (device authorization: open the address shown and confirm the code)')
    .action(async () => {
      const login = await deviceLogin(apiUrl(), (line) => process.stderr.write(`${line}\n`));
      const me = await new ApiClient(login.apiUrl, () => Promise.resolve(login.accessToken)).me();
      console.log(`logged in to ${login.apiUrl} as ${me.actor.role} ${me.actor.id} (token kept in ${credentialsFile()})`);
    });
  program.command('status').description('which service the command line talks to, and whether Temporal, its workers and the identity provider answer')
    .action(run(async ({ session: s, print }) => {
      const status = await s.api.status();
      const t = status.temporal;
      print([
        `API                ${s.api.baseUrl} (${status.service} ${status.version})`,
        `Temporal           ${t.reachable ? `server ${t.serverVersion ?? '?'}` : `NOT REACHABLE${t.error ? ` (${t.error})` : ''}`}, namespace ${t.namespace}, task queue ${t.taskQueue}`,
        `Workers polling    ${t.workerPollers}${t.workerPollers === 0 ? ' — no worker serves the task queue: commands will wait' : ''}`,
        `Identity provider  ${status.identityProvider.issuer} ${status.identityProvider.reachable ? '(answers)' : '(NOT REACHABLE: nobody can log in)'}`,
        `Logged in          ${loadLogin()?.apiUrl === s.api.baseUrl ? 'yes' : 'no — run `alliance login`'}`,
      ].join('\n'), status);
      if (!t.reachable || !status.identityProvider.reachable || t.workerPollers === 0) throw new AllianceError('NOT_REACHABLE', 'Part of the service does not answer (see above).');
    }));
  program.command('logout').description('forget the stored log-in').action(() => {
    console.log(forgetLogin() ? `logged out (removed ${credentialsFile()})` : 'not logged in');
  });
  program.command('whoami').description('who the service takes you for, and your work').action(run(async ({ session: s, print }) => {
    const me = await s.api.me();
    print([`${me.actor.role} ${me.actor.id} (${me.principal.issuer}, subject ${me.principal.subject})`,
      table(['call', 'application', 'title', 'assigned to me'], me.projects.map((p) => [p.callId, p.applicationId, p.title, p.assignedToMe ? 'yes' : '']))].join('\n'), me);
  }));

  const call = program.command('call').description('open a call and follow it');
  call.command('open <callFile> <reviewerPoolFile>').description('open a call from its file (calendar and policy) and its reviewer pool (office)')
    .option('--starts-now', "move the file's whole calendar so that applications open now (every interval kept)")
    .option('--opens-at <instant>', "move the file's whole calendar so that applications open then, e.g. 2027-07-11T09:00:00+08:00 or 116.07.11 09:00")
    .addOption(new Option('--calendar <name>', 'a compressed calendar for trying the service: every step within minutes').choices(Object.keys(tryOutCalendars)))
    .option('--id <callId>', 'open it under another id (a call id is used once)')
    .action(run(async ({ session: s, print, args, opts }) => {
      const [callFile, poolFile] = args as [string, string];
      const call = calendarFor(readJsonFile(callFile, 'call file'), opts);
      const id = await s.api.calls.open(call, readJsonFile(poolFile, 'reviewer pool'));
      const parsed = CallSchema.safeParse(call);
      const next = parsed.success ? nextCallDeadline(parsed.data) : '';
      print(`call ${id} is open. ${next}`, { callId: id, next });
    }));
  call.command('status <callId>').description('where a call stands').action(run(async ({ session: s, print, args }) => {
    const view = await s.api.calls.status(args[0]!);
    print(describeCall(view), view);
  }));
  call.command('amend-deadline <callId>').description("move the call's application or endorsement deadline for every project, saying why (office)")
    .addOption(new Option('--deadline <name>', 'which deadline').choices(['application', 'endorsement']).makeOptionMandatory())
    .addOption(new Option('--until <instant>', 'the new deadline, e.g. 2016-09-13T17:00:00+08:00').makeOptionMandatory())
    .addOption(new Option('--reason <text>', 'why').makeOptionMandatory())
    .action(run(async ({ session: s, print, args, opts }) => {
      const record = await s.api.calls.amendDeadline(args[0]!, { deadline: opts.deadline as 'application' | 'endorsement', until: opts.until!, reason: opts.reason! });
      print(describeOperation(record), record);
    }));
  call.command('exhibition <callId>').description("select the call's alliances for the results exhibition on their accepted results, once (office)")
    .action(run(async ({ session: s, print, args }) => {
      const selected = await s.api.calls.selectExhibition(args[0]!);
      print(table(['rank', 'project', 'income (NT$)', 'members counted'], selected.chosen.map((c) => [String(c.rank), c.projectId, c.incomeNtd.toLocaleString('en-US'), String(c.countedMembers ?? '—')])), selected);
    }));
  call.command('close <callId>').description('close an announced call; its projects go on (office)').action(run(async ({ session: s, print, args }) => {
    const state = await s.api.calls.close(args[0]!);
    print(`call ${args[0]} is ${state}`, { state });
  }));

  const application = program.command('application').description("a PI's application");
  application.command('create <callId> <applicationFile>').description('register a draft application from a JSON file (pi)').action(run(async ({ session: s, print, args }) => {
    const [callId, file] = args as [string, string];
    const id = await s.api.calls.registerApplication(callId, readJsonFile(file, 'application file') as never);
    print(`created ${id}`, { projectId: id });
  }));

  const projectCommand = <T extends ProjectEventType>(parent: Command, name: string, type: T, description: string, options: Option[], payload: (o: Record<string, string>) => ProjectPayload<T>) => {
    const command = parent.command(`${name} <project>`).description(`${description} (${type})`);
    for (const option of options) command.addOption(option);
    command.action(run(async ({ session: s, print, args, opts }) => {
      const id = projectId(args[0]!);
      const result = await s.api.projects.send(id, type, payload(opts));
      print(`${id}: ${result.states.join(', ')}`, result);
    }));
  };
  const required = (flags: string, description: string) => new Option(flags, description).makeOptionMandatory();
  projectCommand(application, 'submit', 'application.submit', 'submit the application (pi)', [], () => ({}));
  projectCommand(application, 'withdraw', 'application.withdraw', 'withdraw the application (pi)', [required('--reason <text>', 'why')], (o) => ({ reason: o.reason! }));

  const roster = program.command('roster').description("an institution's roster (造冊) of endorsed applicants");
  roster.command('submit <callId> [applicationIds...]').description('endorse these applicants in one roster (institution)')
    .option('--roster <id>', 'roster id').option('--letter <reference>', "reference of the institution's official letter")
    .option('--file <roster.json>', 'the roster as a file: { rosterId, letterReference, applicationIds } (e.g. examples/roster-NTU.json)')
    .action(run(async ({ session: s, print, args, opts }) => {
      const [callId, ...applicationIds] = args;
      const roster = opts.file
        ? RosterBody.safeParse(readJsonFile(opts.file, 'roster file'))
        : RosterBody.safeParse({ rosterId: opts.roster, letterReference: opts.letter, applicationIds });
      if (!roster.success) throw new AllianceError('VALIDATION', `The roster is incomplete: ${roster.error.issues.map((i) => `${i.path.join('.') || 'roster'}: ${i.message}`).join('; ')}; give --roster ID --letter REFERENCE and the application ids, or --file.`);
      const record = await withProgress(s, callId!, 'endorsing', s.api.calls.submitRoster(callId!, roster.data));
      print(describeOperation(record), record);
    }));

  const review = program.command('review').description('the online written review');
  review.command('start <callId>').description('start the round for the call or one division and assign reviewers (office)').option('--division <code>', 'only this division')
    .action(run(async ({ session: s, print, args, opts }) => {
      const record = await withProgress(s, args[0]!, 'assigning', s.api.calls.startWrittenReview(args[0]!, division(opts.division)));
      print(describeOperation(record), record);
    }));
  review.command('status <callId>').description('assignments and missing reviews').action(run(async ({ session: s, print, args }) => {
    const view = await s.api.calls.status(args[0]!);
    const rows = Object.entries(view.assignments).map(([app, ids]) => [app, ids.join(', ')]);
    print([table(['application', 'reviewers'], rows), ...view.rounds.map((r) => `round ${r.scope}: ${r.closedAt ? `closed, missing ${r.missing.map((m) => `${m.reviewerId}@${m.projectId}`).join(', ') || 'none'}` : 'open'}`)].join('\n'), { assignments: view.assignments, rounds: view.rounds });
  }));
  review.command('close <callId>').description('close the round now; lists missing reviews (office)').option('--division <code>', 'only this division')
    .action(run(async ({ session: s, print, args, opts }) => {
      const rounds = await s.api.calls.closeWrittenReview(args[0]!, division(opts.division));
      print(rounds.map((r) => `round ${r.scope} closed; missing reviews: ${r.missing.length ? r.missing.map((m) => `${m.reviewerId} on ${m.projectId}`).join(', ') : 'none'}`).join('\n') || 'no open round', rounds);
    }));
  projectCommand(review, 'record', 'review.record', 'record your review (reviewer)',
    [required('--score <0-100>', 'score'), required('--recommendation <fund|fundWithChanges|doNotFund>', 'recommendation'), required('--comments <text>', 'comments')],
    (o) => ({ score: Number(o.score), recommendation: o.recommendation as 'fund', comments: o.comments! }));
  review.command('show <project>').description('the reviews you may see: your own first, the others once yours is in').action(run(async ({ session: s, print, args }) => {
    // What may be seen is the service's view of the project for the logged-in role: the law's, not this command's.
    const visible = (await s.api.projects.view(projectId(args[0]!))).context.reviews;
    print(visible.length ? table(['reviewer', 'score', 'recommendation', 'comments'], visible.map((r) => [r.reviewerId, r.score, r.recommendation, r.comments])) : 'Record your own review first; the others show once yours is in.', visible);
  }));

  const presentation = program.command('presentation').description('the presentation review');
  presentation.command('invite <callId> [applicationIds...]').description('invite the top N of each division, or these applications (office)').option('--top <n>', 'top N of each division by written score')
    .action(run(async ({ session: s, print, args, opts }) => {
      const [callId, ...ids] = args;
      const top = opts.top;
      const record = await withProgress(s, callId!, 'inviting', s.api.calls.invitePresentations(callId!, top !== undefined ? { topPerDivision: Number(top) } : { applicationIds: ids }));
      print(describeOperation(record), record);
    }));
  presentation.command('schedule <callId>').description('give every invited application a slot, division by division (office)').addOption(required('--starts-at <instant>', 'first slot, e.g. 105.12.05 09:00'))
    .action(run(async ({ session: s, print, args, opts }) => {
      const record = await withProgress(s, args[0]!, 'scheduling', s.api.calls.schedulePresentations(args[0]!, instant(opts.startsAt!)));
      print(describeOperation(record), record);
    }));
  projectCommand(presentation, 'record', 'presentation.record', "record the panel's score (office)", [required('--score <0-100>', 'panel score'), required('--comments <text>', 'comments')], (o) => ({ panelScore: Number(o.score), comments: o.comments! }));
  projectCommand(presentation, 'waive', 'presentation.waive', 'decide without the presentation review, saying why (office)', [required('--reason <text>', 'why')], (o) => ({ reason: o.reason! }));

  const decision = program.command('decision').description('the final decision meeting');
  decision.command('start <callId>').description('open the meeting: the ranked list per division (office)').action(run(async ({ session: s, print, args }) => {
    const ranking = await s.api.calls.startDecisionMeeting(args[0]!);
    const rows = Object.entries(ranking).sort().flatMap(([d, list]) => list.map((r) => [d, r.rank, r.applicationId, r.writtenAverage ?? '—', r.panelScore ?? '—']));
    print(table(['division', 'rank', 'application', 'written avg', 'panel'], rows), ranking);
  }));
  projectCommand(decision, 'record', 'decision.record', 'approve with amounts per year, or reject with a reason (office)',
    [new Option('--approve <amounts>', 'NT$ per year, comma-separated, e.g. 2000000,2000000'), new Option('--reject <reason>', 'why')],
    (o) => {
      if ((o.approve === undefined) === (o.reject === undefined)) throw new AllianceError('VALIDATION', 'Give either --approve AMOUNTS or --reject REASON.');
      return o.approve !== undefined ? { outcome: 'approved', amountsNtd: o.approve.split(',').map(amount) } : { outcome: 'rejected', reason: o.reject! };
    });
  decision.command('announce <callId>').description('announce every decision of the call at once (office)').action(run(async ({ session: s, print, args }) => {
    const record = await withProgress(s, args[0]!, 'announcing', s.api.calls.announce(args[0]!));
    print(describeOperation(record), record);
  }));

  const contract = program.command('contract').description('the grant contract');
  projectCommand(contract, 'issue', 'contract.issue', 'issue the contract (office)', [required('--number <contract number>', 'contract number')], (o) => ({ contractNumber: o.number! }));
  projectCommand(contract, 'sign', 'contract.sign', 'sign the contract (institution)', [], () => ({}));
  projectCommand(contract, 'consent', 'consent.sign', 'sign the execution consent (pi)', [], () => ({}));

  const tranche = program.command('tranche').description('disbursements');
  projectCommand(tranche, 'request', 'tranche.request', 'request the next tranche (institution)', [required('--amount <ntd>', 'NT$')], (o) => ({ amountNtd: amount(o.amount!) }));
  projectCommand(tranche, 'pay', 'tranche.pay', 'pay the requested tranche (office)', [required('--reference <payment reference>', 'payment reference')], (o) => ({ paymentReference: o.reference! }));

  const report = program.command('report').description('annual progress reports');
  projectCommand(report, 'submit', 'progressReport.submit', 'submit the progress report (pi)', [required('--summary <text>', 'summary')], (o) => ({ summary: o.summary! }));
  projectCommand(report, 'accept', 'progressReport.accept', 'accept it, releasing next year (office)', [new Option('--comments <text>', 'comments').default('')], (o) => ({ comments: o.comments ?? '' }));
  projectCommand(report, 'return', 'progressReport.return', 'return it for changes (office)', [required('--reason <text>', 'why')], (o) => ({ reason: o.reason! }));

  const visit = program.command('site-visit').description('site visits');
  projectCommand(visit, 'select', 'siteVisit.select', 'select the project for a visit (office)', [], () => ({}));
  projectCommand(visit, 'record', 'siteVisit.record', 'record the visit (office)', [required('--date <instant>', 'when, e.g. 107.04.15 10:00'), required('--suggestions <text>', 'improvement suggestions')], (o) => ({ visitedOn: instant(o.date!), suggestions: o.suggestions! }));

  const closing = program.command('closing').description('the closing report');
  projectCommand(closing, 'submit', 'closingReport.submit', 'submit the closing report (pi)', [required('--summary <text>', 'summary')], (o) => ({ summary: o.summary! }));
  projectCommand(closing, 'accept', 'closingReport.accept', 'accept it and close the project (office)', [new Option('--comments <text>', 'comments').default('')], (o) => ({ comments: o.comments ?? '' }));
  projectCommand(closing, 'return', 'closingReport.return', 'return it for changes (office)', [required('--reason <text>', 'why')], (o) => ({ reason: o.reason! }));

  const project = program.command('project').description('one project');
  project.command('show <project>').description('where a project stands').action(run(async ({ session: s, print, args }) => {
    const view = await s.api.projects.view(projectId(args[0]!));
    print(describeProject(view), view);
  }));
  projectCommand(project, 'suspend', 'project.suspend', 'suspend a running project (office)', [required('--reason <text>', 'why')], (o) => ({ reason: o.reason! }));
  projectCommand(project, 'resume', 'project.resume', 'resume a suspended project (office)', [], () => ({}));
  projectCommand(project, 'terminate', 'project.terminate', 'terminate the project (office)', [required('--reason <text>', 'why')], (o) => ({ reason: o.reason! }));
  projectCommand(project, 'amend-deadline', 'deadline.amend', "move one of the project's deadlines, saying why (office)",
    [required('--deadline <name>', 'which deadline').choices(AmendableDeadline.options), required('--until <instant>', 'the new deadline, e.g. 2016-09-13T17:00:00+08:00'), required('--reason <text>', 'why')],
    (o) => ({ deadline: AmendableDeadline.parse(o.deadline), until: o.until!, reason: o.reason! }));

  const audit = program.command('audit').description('read-only: the audit trail, for auditors and the office');
  audit.command('history <project>').description('the domain trail from the ledger; --raw for the Temporal events (live or archived)').option('--raw', 'the raw Temporal event history of every run')
    .action(run(async ({ session: s, print, args, opts }) => {
      const id = args[0]!.startsWith('call:') ? args[0]! : projectId(args[0]!);
      if (opts.raw) {
        const raw = await s.api.audit.rawHistory(id);
        print([`${id}: ${raw.runs.length} runs, from ${raw.source === 'archive' ? 'the archive (Temporal no longer holds them)' : 'Temporal'}`, ...raw.runs.map((r) => `  run ${r.runId}  ${(r.history as { events?: unknown[] }).events?.length ?? 0} events  sha256 ${r.sha256}`)].join('\n'), raw);
        return;
      }
      const entries = await s.api.audit.history(id);
      print(table(['#', 'at (Taipei)', 'who', 'event', 'from → to'], entries.map((e) => [e.entrySeq, formatRocDate(e.at, { withTime: true }), `${e.actor.role}:${e.actor.id}`, e.event, `${e.from.join(', ')} → ${e.to.join(', ')}`])), entries);
    }));
  audit.command('search').description('projects by call, division, region, institution, state, overdue, date range')
    .option('--call <id>').option('--division <code>').option('--region <region>').option('--institution <id>').option('--state <state>')
    .option('--overdue', 'only overdue projects').option('--from <instant>', 'with a transition at or after').option('--to <instant>', 'with a transition before')
    .action(run(async ({ session: s, print, opts }) => {
      const found = await s.api.audit.search({
        ...(opts.call ? { call: opts.call } : {}), ...(opts.division ? { division: division(opts.division)! } : {}), ...(opts.region ? { region: opts.region } : {}),
        ...(opts.institution ? { institution: opts.institution } : {}), ...(opts.state ? { state: opts.state } : {}), ...(opts.overdue ? { overdue: 'true' } : {}),
        ...(opts.from ? { from: instant(opts.from) } : {}), ...(opts.to ? { to: instant(opts.to) } : {}),
      });
      print(table(['project', 'division', 'region', 'institution', 'state', 'year', 'overdue'], found.map((p) => [p.workflowId, p.division, p.region, p.institution, p.state, p.projectYear, p.overdue ? 'yes' : ''])), found);
    }));
  audit.command('verify [project]').description('recompute the hash chains, payloads, archive and Merkle tree, compare the ledger with Temporal both ways; names the first broken entry')
    .option('--all', 'the whole ledger (the default without a project)')
    .option('--since <file>', 'a checkpoint you kept: the ledger must still hold the tree it signed, and only have grown since')
    .option('--key <file>', 'the verifier key you check checkpoints with (needed with --since)')
    .option('--save <file>', 'with --since: keep the service\'s new checkpoint here once it is checked, as your next trusted one')
    .action(run(async ({ session: s, print, args, opts }) => {
      const target = args[0] ? projectId(args[0]) : undefined;
      const since = opts.since ? trustedCheckpoint(String(opts.since), opts.key ? String(opts.key) : undefined, target) : undefined;
      const report = await s.api.audit.verify(target, since && { checkpoint: since.note, key: since.key });
      if (report.broken) {
        const b = report.broken;
        const where = b.seq ? `ledger entry ${b.seq} (${b.workflowId} transition ${b.entrySeq}) is broken` : b.workflowId ? `${b.workflowId} does not verify` : 'the ledger does not verify';
        throw new AllianceError('INTEGRITY', `${where}: ${b.reason}.`);
      }
      let grown = '';
      if (since) {
        // Checked here, with the auditor's key and code, not taken on the service's word.
        const current = checkedGrowth(since, report);
        if (opts.save) writeFileSync(String(opts.save), report.checkpoint!, { flag: 'w' });
        grown = `; the tree of ${since.trusted.size} leaves you trusted is the start of today's ${current.size} (consistency proof checked)${opts.save ? `, new checkpoint kept in ${String(opts.save)}` : ''}`;
      }
      print(`verified ${report.checked} ledger entries (${report.comparedWithTemporal} compared with Temporal): every hash and link holds${grown}`, report);
    }));
  audit.command('prove [project]').description('inclusion proofs of a project\'s entries and archived runs (or of --entries), against a checkpoint signed now; checked here with your key, and written for tools/ledger-verifier')
    .option('--entries <seqs>', 'ledger entries by seq, comma-separated (instead of a project)')
    .option('--key <file>', 'the verifier key you check checkpoints with')
    .option('--since <file>', 'a checkpoint you kept: also prove that today\'s tree extends it')
    .option('--out <file>', 'write the proof bundle (JSON) here, for tools/ledger-verifier')
    .action(run(async ({ session: s, print, args, opts }) => {
      const { verifier } = verifierFrom(opts.key ? String(opts.key) : undefined, 'audit prove');
      const since = opts.since ? trustedCheckpoint(String(opts.since), String(opts.key), undefined) : undefined;
      const entries = opts.entries ? String(opts.entries).split(',').map((seq) => Number(seq.trim())) : undefined;
      if (entries?.some((seq) => !Number.isSafeInteger(seq) || seq < 1)) throw new AllianceError('VALIDATION', '--entries: expected ledger seqs, e.g. --entries 12,13,40.');
      if (Boolean(entries) === Boolean(args[0])) throw new AllianceError('VALIDATION', 'give a project (CALL:APP) or --entries, one of the two.');
      const target = args[0] ? (args[0].startsWith('call:') ? args[0] : projectId(args[0])) : undefined;
      const bundle = await s.api.audit.proofs({ ...(entries ? { entries } : {}), ...(target ? { workflowId: target } : {}), ...(since ? { since: { checkpoint: since.note, key: since.key } } : {}) });
      const current = checkedBundle(bundle, verifier, since);
      if (opts.out) writeFileSync(String(opts.out), JSON.stringify(bundle, null, 2));
      print(`${bundle.entries.length} leaves proven in the tree of ${current.size} the service signed (checked with your key)${since ? `, which extends your checkpoint of ${since.trusted.size}` : ''}${opts.out ? `; bundle written to ${String(opts.out)}` : ''}`, bundle);
    }));
  audit.command('keygen <name>').description('a new key pair for signing the ledger\'s checkpoints (offline: for the operators\' key file and the auditors)')
    .requiredOption('--out <file>', 'where to write the signing key (owner-only); ALLIANCE_LOG_SIGNING_KEY_FILE points here')
    .action(run(({ print, args, opts }) => {
      let key: { signerKey: string; verifierKey: string };
      try {
        key = generateLogKey(args[0]!);
      } catch (error) {
        throw new AllianceError('VALIDATION', (error as Error).message);
      }
      try {
        writeFileSync(String(opts.out), `${key.signerKey}\n`, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        throw new AllianceError('VALIDATION', `--out ${String(opts.out)}: ${(error as NodeJS.ErrnoException).code === 'EEXIST' ? 'exists already; a signing key is never overwritten' : (error as Error).message}.`);
      }
      print(`signing key written to ${String(opts.out)} (keep it off the database's machines)\nverifier key, for the auditors: ${key.verifierKey}`, { verifierKey: key.verifierKey });
      return Promise.resolve();
    }));
  audit.command('checkpoint').description('the ledger\'s Merkle tree as it stands, in a checkpoint the service signs now, and the key to check it')
    .option('--out <file>', 'write the signed checkpoint to this file (keep it: it is what you check the ledger against later)')
    .action(run(async ({ session: s, print, opts }) => {
      const current = await s.api.audit.checkpoint();
      if (opts.out) writeFileSync(String(opts.out), current.checkpoint);
      print(`${current.checkpoint}\nverifier key: ${current.verifierKey}${opts.out ? `\nwritten to ${String(opts.out)}` : ''}`, current);
    }));
  audit.command('quarantine [project]').description('transitions the ledger set aside because their key held other content (after a Temporal reset), with why')
    .action(run(async ({ session: s, print, args }) => {
      const found = await s.api.audit.quarantine(args[0] ? (args[0].startsWith('call:') ? args[0] : projectId(args[0])) : undefined);
      print(found.length ? table(['workflow', '#', 'event', 'at (Taipei)', 'set aside (Taipei)', 'why'], found.map((q) => [q.workflowId, q.entrySeq, q.entry.event, formatRocDate(q.entry.at, { withTime: true }), formatRocDate(q.at, { withTime: true }), q.detail])) : 'the quarantine is empty', found);
    }));
  audit.command('export').description('ledger entries of a call or a project').addOption(new Option('--format <format>', 'csv or json').choices(['csv', 'json']).default('csv'))
    .option('--call <id>').option('--project <project>')
    .action(run(async ({ session: s, opts }) => {
      if (!opts.call === !opts.project) throw new AllianceError('VALIDATION', 'Export either --call ID or --project CALL:APPLICATION.');
      console.log(await s.api.audit.export(opts.format as 'csv' | 'json', opts.project ? { workflowId: projectId(opts.project) } : { callId: opts.call! }));
    }));

  const notices = program.command('notices').description('e-mail notices: what a project was sent, what waits for the mail relay (office, auditors)');
  const noticeTable = (found: NoticeSummary[]) => table(['notice', 'kind', 'started (Taipei)', 'status', 'office told', 'detail'],
    found.map((n) => [n.noticeId, n.kind, formatRocDate(n.startedAt, { withTime: true }), n.status, n.officeAlerted ? 'yes' : '', n.detail]));
  notices.command('list <project>').description('every notice of a project, oldest first').action(run(async ({ session: s, print, args }) => {
    const found = await s.api.notices.forProject(projectId(args[0]!));
    print(noticeTable(found), found);
  }));
  notices.command('undelivered').description('notices not yet delivered to every recipient, with their attempts and last error').action(run(async ({ session: s, print }) => {
    const found = await s.api.notices.undelivered();
    print(found.length ? noticeTable(found) : 'every notice has been delivered', found);
  }));

  program.command('alerts').description("the office's alerts: mail held up, ledger entries quarantined or missing (office, auditors)")
    .action(run(async ({ session: s, print }) => {
      const found = await s.api.notices.alerts();
      print(found.length ? table(['raised (Taipei)', 'kind', 'subject', 'detail'], found.map((a) => [formatRocDate(a.at, { withTime: true }), a.kind, a.subject, a.detail])) : 'no alerts', found);
    }));

  program.command('payload-keys').description('operators, offline: the AES-256 keys that encrypt what Temporal, the ledger and the archive keep')
    .command('rotate').description('add a fresh key to the file (made if missing, owner-only) and make it current; older keys stay so old histories still open')
    .requiredOption('--file <file>', 'the payload key file; ALLIANCE_PAYLOAD_KEYS_FILE points here on every worker and API process')
    .action(run(({ print, opts }) => {
      let id: string;
      try {
        id = rotateKeyFile(String(opts.file));
      } catch (error) {
        throw new AllianceError('VALIDATION', `--file ${String(opts.file)}: ${(error as Error).message}`);
      }
      print(`key ${id} added to ${String(opts.file)} and made current: restart every worker and API process to seal new data under it`, { current: id });
      return Promise.resolve();
    }));
  program.command('demo').description('run the 91 applications of the 105 call through a compressed first year on the running service, then end its projects')
    .option('--seed <n>', 'cohort seed', '105')
    .option('--applications <n>', 'only the first n applications of the cohort, for a shorter run', '91')
    .option('--endorsement-in <seconds>', 'when endorsements close (applications 10 s before)', String(DEMO_TIMING.endorsementIn))
    .option('--year-one-in <seconds>', 'when project year 1 starts: room for the reviews, decisions and contracts', String(DEMO_TIMING.yearOneStartsIn))
    .option('--year-length <seconds>', 'how long project year 1 lasts', String(DEMO_TIMING.yearLengthSeconds))
    .action(run(async ({ session: s, print, opts }) => {
      const whole = (flag: string, text: string | undefined, least: number): number => {
        const n = Number(text);
        if (!Number.isInteger(n) || n < least) throw new AllianceError('VALIDATION', `--${flag} ${String(text)}: expected a whole number, at least ${least}.`);
        return n;
      };
      const timing = { endorsementIn: whole('endorsement-in', opts.endorsementIn, 11), yearOneStartsIn: whole('year-one-in', opts.yearOneIn, 1), yearLengthSeconds: whole('year-length', opts.yearLength, 1) };
      const summary = await runDemo(await demoAccountsOf(s.api), Number(opts.seed), (line: string) => process.stderr.write(`${line}\n`), timing,
        { applications: whole('applications', opts.applications, 1), endProjects: true });
      print(summary.table, summary.rows);
    }));

  program.exitOverride();
  return program;
}

