// `alliance` commands: calls, applications and the institutions' rosters.
import { type Command, Option } from 'commander';
import { AllianceError } from '../../../domain/errors';
import { table } from '../output';
import { Call as CallSchema } from '../../../domain/call';
import { RosterBody } from '../../../domain/api';
import { tryOutCalendars } from '../../compressed-call';
import { readJsonFile } from '../session';
import { calendarFor, describeCall, describeOperation, nextCallDeadline, projectCommandFor, required, withProgress, type Runner } from './shared';

export function addCallsCommands(program: Command, run: Runner): void {
  const projectCommand = projectCommandFor(run);
  const call = program.command('call').description('open a call and follow it');
  call
    .command('open <callFile> <reviewerPoolFile>')
    .description('open a call from its file (calendar and policy) and its reviewer pool (office)')
    .option('--starts-now', "move the file's whole calendar so that applications open now (every interval kept)")
    .option('--opens-at <instant>', "move the file's whole calendar so that applications open then, e.g. 2027-07-11T09:00:00+08:00 or 116.07.11 09:00")
    .addOption(new Option('--calendar <name>', 'a compressed calendar for trying the service: every step within minutes').choices(Object.keys(tryOutCalendars)))
    .option('--id <callId>', 'open it under another id (a call id is used once)')
    .option(
      '--institutions <file>',
      'the registry of institutions (JSON: [{id, name, noticeEmail}]): each research office is told at its address, whatever an application names',
    )
    .action(
      run(async ({ session: s, print, args, opts }) => {
        const [callFile, poolFile] = args as [string, string];
        const call = calendarFor(readJsonFile(callFile, 'call file'), opts);
        const institutions = opts.institutions ? readJsonFile(String(opts.institutions), 'registry of institutions') : undefined;
        const id = await s.api.calls.open(call, readJsonFile(poolFile, 'reviewer pool'), institutions);
        const parsed = CallSchema.safeParse(call);
        const next = parsed.success ? nextCallDeadline(parsed.data) : '';
        print(`call ${id} is open. ${next}`, { callId: id, next });
      }),
    );
  call
    .command('status <callId>')
    .description('where a call stands')
    .action(
      run(async ({ session: s, print, args }) => {
        const view = await s.api.calls.status(args[0]!);
        print(describeCall(view), view);
      }),
    );
  call
    .command('amend-deadline <callId>')
    .description("move the call's application or endorsement deadline for every project, saying why (office)")
    .addOption(new Option('--deadline <name>', 'which deadline').choices(['application', 'endorsement']).makeOptionMandatory())
    .addOption(new Option('--until <instant>', 'the new deadline, e.g. 2016-09-13T17:00:00+08:00').makeOptionMandatory())
    .addOption(new Option('--reason <text>', 'why').makeOptionMandatory())
    .action(
      run(async ({ session: s, print, args, opts }) => {
        const record = await s.api.calls.amendDeadline(args[0]!, {
          deadline: opts.deadline as 'application' | 'endorsement',
          until: opts.until!,
          reason: opts.reason!,
        });
        print(describeOperation(record), record);
      }),
    );
  call
    .command('exhibition <callId>')
    .description("select the call's alliances for the results exhibition on their accepted results, once (office)")
    .action(
      run(async ({ session: s, print, args }) => {
        const selected = await s.api.calls.selectExhibition(args[0]!);
        print(
          table(
            ['rank', 'project', 'income (NT$)', 'members counted'],
            selected.chosen.map((c) => [String(c.rank), c.projectId, c.incomeNtd.toLocaleString('en-US'), String(c.countedMembers ?? '—')]),
          ),
          selected,
        );
      }),
    );
  call
    .command('close <callId>')
    .description('close an announced call; its projects go on (office)')
    .action(
      run(async ({ session: s, print, args }) => {
        const state = await s.api.calls.close(args[0]!);
        print(`call ${args[0]} is ${state}`, { state });
      }),
    );

  const application = program.command('application').description("a PI's application");
  application
    .command('create <callId> <applicationFile>')
    .description('register a draft application from a JSON file (pi)')
    .action(
      run(async ({ session: s, print, args }) => {
        const [callId, file] = args as [string, string];
        const id = await s.api.calls.registerApplication(callId, readJsonFile(file, 'application file') as never);
        print(`created ${id}`, { projectId: id });
      }),
    );

  projectCommand(application, 'submit', 'application.submit', 'submit the application (pi)', [], () => ({}));
  projectCommand(application, 'withdraw', 'application.withdraw', 'withdraw the application (pi)', [required('--reason <text>', 'why')], (o) => ({
    reason: o.reason!,
  }));

  const roster = program.command('roster').description("an institution's roster (造冊) of endorsed applicants");
  roster
    .command('submit <callId> [applicationIds...]')
    .description('endorse these applicants in one roster (institution)')
    .option('--roster <id>', 'roster id')
    .option('--letter <reference>', "reference of the institution's official letter")
    .option('--file <roster.json>', 'the roster as a file: { rosterId, letterReference, applicationIds } (e.g. examples/roster-NTU.json)')
    .action(
      run(async ({ session: s, print, args, opts }) => {
        const [callId, ...applicationIds] = args;
        const roster = opts.file
          ? RosterBody.safeParse(readJsonFile(opts.file, 'roster file'))
          : RosterBody.safeParse({ rosterId: opts.roster, letterReference: opts.letter, applicationIds });
        if (!roster.success)
          throw new AllianceError(
            'VALIDATION',
            `The roster is incomplete: ${roster.error.issues.map((i) => `${i.path.join('.') || 'roster'}: ${i.message}`).join('; ')}; give --roster ID --letter REFERENCE and the application ids, or --file.`,
          );
        const record = await withProgress(s, callId!, 'endorsing', s.api.calls.submitRoster(callId!, roster.data));
        print(describeOperation(record), record);
      }),
    );
}
