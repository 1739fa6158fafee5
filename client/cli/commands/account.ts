// `alliance` commands: logging in and out, and who and where the command line talks to.
import { type Command } from 'commander';
import { formatRocDate } from '../../../domain/roc-date';
import { AllianceError } from '../../../domain/errors';
import { table } from '../output';
import { ApiClient } from '../../api-client';
import { credentialsFile, forgetLogin, loadLogin } from '../credentials';
import { deviceLogin } from '../login';
import { apiUrl } from '../session';
import { type Runner } from './shared';

export function addAccountCommands(program: Command, run: Runner): void {
  program
    .command('login')
    .description('log in through the identity provider (device authorization: open the address shown and confirm the code)')
    .action(async () => {
      const login = await deviceLogin(apiUrl(), (line) => process.stderr.write(`${line}\n`));
      const me = await new ApiClient(login.apiUrl, () => Promise.resolve(login.accessToken)).me();
      console.log(`logged in to ${login.apiUrl} as ${me.actor.role} ${me.actor.id} (token kept in ${credentialsFile()})`);
    });
  program
    .command('status')
    .description('which service the command line talks to, and whether Temporal, its workers and the identity provider answer')
    .action(
      run(async ({ session: s, print }) => {
        const status = await s.api.status();
        const t = status.temporal;
        print(
          [
            `API                ${s.api.baseUrl} (${status.service} ${status.version})`,
            `Temporal           ${t.reachable ? `server ${t.serverVersion ?? '?'}` : 'NOT REACHABLE (the API logs why)'}, namespace ${t.namespace}, task queue ${t.taskQueue}`,
            `Workers polling    ${t.workerPollers}${t.workerPollers === 0 ? ' — no worker serves the task queue: commands will wait' : ''}`,
            `Identity provider  ${status.identityProvider.issuer} ${status.identityProvider.reachable ? '(answers)' : '(NOT REACHABLE: nobody can log in)'}`,
            `Logged in          ${loadLogin()?.apiUrl === s.api.baseUrl ? 'yes' : 'no — run `alliance login`'}`,
          ].join('\n'),
          status,
        );
        if (!t.reachable || !status.identityProvider.reachable || t.workerPollers === 0)
          throw new AllianceError('NOT_REACHABLE', 'Part of the service does not answer (see above).');
      }),
    );
  program
    .command('logout')
    .description('forget the stored log-in')
    .action(() => {
      console.log(forgetLogin() ? `logged out (removed ${credentialsFile()})` : 'not logged in');
    });
  program
    .command('whoami')
    .description('who the service takes you for, and your work')
    .action(
      run(async ({ session: s, print }) => {
        const me = await s.api.me();
        print(
          [
            `${me.actor.role} ${me.actor.id} (${me.principal.issuer}, subject ${me.principal.subject})`,
            table(
              ['call', 'application', 'title', 'assigned to me'],
              me.projects.map((p) => [p.callId, p.applicationId, p.title, p.assignedToMe ? 'yes' : '']),
            ),
          ].join('\n'),
          me,
        );
      }),
    );
  program
    .command('todo')
    .description("what is due from you, soonest first, with the time left (the law's to-do list)")
    .action(
      run(async ({ session: s, print }) => {
        const todo = await s.api.todo();
        const left = (due: string) => {
          const hours = Math.floor((Date.parse(due) - Date.now()) / 3_600_000);
          return hours < 0 ? 'past due' : `${Math.floor(hours / 24)} d ${hours % 24} h`;
        };
        print(
          todo.length
            ? table(
                ['due (Taipei)', 'left', 'project', 'to do'],
                todo.map((t) => [formatRocDate(t.due, { withTime: true }), left(t.due), t.projectId, t.command]),
              )
            : 'nothing is due from you',
          todo,
        );
      }),
    );
  const calendar = program.command('calendar').description('your to-do list as a calendar feed (iCalendar) at a secret address');
  calendar
    .command('create')
    .description('a new secret address for your calendar program; the one made before stops answering')
    .option('--lang <lang>', 'zh-TW or en', 'zh-TW')
    .action(
      run(async ({ session: s, print, opts }) => {
        const feed = await s.api.calendar.create(String(opts.lang));
        print(`${feed.url}\nAnyone holding this address reads your to-do list: \`alliance calendar revoke\` ends it.`, feed);
      }),
    );
  calendar
    .command('revoke')
    .description('your calendar address stops answering at once')
    .action(
      run(async ({ session: s, print }) => {
        print('calendar address revoked', await s.api.calendar.revoke());
      }),
    );
  program
    .command('digest')
    .description('your reminders in one mail a day (on), or each at once (off); without an argument, which you chose')
    .argument('[choice]', 'on or off')
    .action(
      run(async ({ session: s, print, args }) => {
        const [choice] = args as [string | undefined];
        if (choice !== undefined && choice !== 'on' && choice !== 'off') throw new AllianceError('VALIDATION', `expected on or off, got "${choice}"`);
        const kept = choice === undefined ? await s.api.digest.get() : await s.api.digest.choose(choice === 'on');
        const since = kept.chosenAt ? ` (since ${formatRocDate(kept.chosenAt, { withTime: true })})` : '';
        print(kept.daily ? `daily digest of reminders to ${kept.email}${since}` : `each reminder at once to ${kept.email}${since}`, kept);
      }),
    );
}
