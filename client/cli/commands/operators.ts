// `alliance` commands: notices and alerts for the office, the operators' payload keys, and the demo.
import { type Command } from 'commander';
import { formatRocDate } from '../../../domain/roc-date';
import { AllianceError } from '../../../domain/errors';
import type { NoticeSummary } from '../../../messages/notices';
import { table } from '../output';
import { projectId } from '../session';
import { rotateKeyFile } from '../../../tlog/key-file';
import { DEMO_TIMING, demoAccountsOf, runDemo } from '../demo';
import { onServiceHost, type Runner } from './shared';

export function addOperatorsCommands(program: Command, run: Runner): void {
  const notices = program.command('notices').description('e-mail notices: what a project was sent, what waits for the mail relay (office, auditors)');
  const noticeTable = (found: NoticeSummary[]) =>
    table(
      ['notice', 'kind', 'started (Taipei)', 'status', 'office told', 'detail'],
      found.map((n) => [n.noticeId, n.kind, formatRocDate(n.startedAt, { withTime: true }), n.status, n.officeAlerted ? 'yes' : '', n.detail]),
    );
  notices
    .command('list <project>')
    .description('every notice of a project, oldest first')
    .action(
      run(async ({ session: s, print, args }) => {
        const found = await s.api.notices.forProject(projectId(args[0]!));
        print(noticeTable(found), found);
      }),
    );
  notices
    .command('undelivered')
    .description('notices not yet delivered to every recipient, with their attempts and last error')
    .action(
      run(async ({ session: s, print }) => {
        const found = await s.api.notices.undelivered();
        print(found.length ? noticeTable(found) : 'every notice has been delivered', found);
      }),
    );

  program
    .command('alerts')
    .description("the office's alerts: mail held up, ledger entries quarantined or missing (office, auditors)")
    .action(
      run(async ({ session: s, print }) => {
        const found = await s.api.notices.alerts();
        print(
          found.length
            ? table(
                ['raised (Taipei)', 'kind', 'subject', 'detail'],
                found.map((a) => [formatRocDate(a.at, { withTime: true }), a.kind, a.subject, a.detail]),
              )
            : 'no alerts',
          found,
        );
      }),
    );

  const payloadKeys = program
    .command('payload-keys')
    .description('operators, offline: the AES-256 keys that encrypt what Temporal, the ledger and the archive keep');
  payloadKeys
    .command('retire <key-id>')
    .description(
      "on the service's host: seal again under the current key everything the service keeps under this older one, then drop it from the file; refused while Temporal holds a history that needs it",
    )
    .requiredOption('--file <file>', 'the payload key file (ALLIANCE_PAYLOAD_KEYS_FILE); the environment `make start` reads says where the data is')
    .action(
      run(async ({ args, opts }) => {
        process.exitCode = await onServiceHost('payload-keys-retire.js', [args[0]!, String(opts.file)], 'make retire-payload-key');
      }),
    );
  payloadKeys
    .command('rotate')
    .description('add a fresh key to the file (made if missing, owner-only) and make it current; older keys stay so old histories still open')
    .requiredOption('--file <file>', 'the payload key file; ALLIANCE_PAYLOAD_KEYS_FILE points here on every worker and API process')
    .action(
      run(({ print, opts }) => {
        let id: string;
        try {
          id = rotateKeyFile(String(opts.file));
        } catch (error) {
          throw new AllianceError('VALIDATION', `--file ${String(opts.file)}: ${(error as Error).message}`);
        }
        print(`key ${id} added to ${String(opts.file)} and made current: restart every worker and API process to seal new data under it`, { current: id });
        return Promise.resolve();
      }),
    );
  program
    .command('demo')
    .description('run the 91 applications of the 105 call through a compressed first year on the running service, then end its projects')
    .option('--seed <n>', 'cohort seed', '105')
    .option('--applications <n>', 'only the first n applications of the cohort, for a shorter run', '91')
    .option('--endorsement-in <seconds>', 'when endorsements close (applications 10 s before)', String(DEMO_TIMING.endorsementIn))
    .option('--year-one-in <seconds>', 'when project year 1 starts: room for the reviews, decisions and contracts', String(DEMO_TIMING.yearOneStartsIn))
    .option('--year-length <seconds>', 'how long project year 1 lasts', String(DEMO_TIMING.yearLengthSeconds))
    .action(
      run(async ({ session: s, print, opts }) => {
        const whole = (flag: string, text: string | undefined, least: number): number => {
          const n = Number(text);
          if (!Number.isInteger(n) || n < least)
            throw new AllianceError('VALIDATION', `--${flag} ${String(text)}: expected a whole number, at least ${least}.`);
          return n;
        };
        const timing = {
          endorsementIn: whole('endorsement-in', opts.endorsementIn, 11),
          yearOneStartsIn: whole('year-one-in', opts.yearOneIn, 1),
          yearLengthSeconds: whole('year-length', opts.yearLength, 1),
        };
        const summary = await runDemo(await demoAccountsOf(s.api), Number(opts.seed), (line: string) => process.stderr.write(`${line}\n`), timing, {
          applications: whole('applications', opts.applications, 1),
          endProjects: true,
        });
        print(summary.table, summary.rows);
      }),
    );
}
