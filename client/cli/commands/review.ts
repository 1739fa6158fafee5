// `alliance` commands: the written review, the presentation review and the decision meeting.
import { type Command, Option } from 'commander';
import { AllianceError } from '../../../domain/errors';
import { table } from '../output';
import { projectId } from '../session';
import { amount, describeOperation, division, instant, projectCommandFor, required, withProgress, type Runner } from './shared';

/** The online written review: rounds, reviews, and what a reviewer may see. */
function writtenReviewCommands(program: Command, run: Runner): void {
  const projectCommand = projectCommandFor(run);
  const review = program.command('review').description('the online written review');
  review
    .command('start <callId>')
    .description('start the round for the call or one division and assign reviewers (office)')
    .option('--division <code>', 'only this division')
    .action(
      run(async ({ session: s, print, args, opts }) => {
        const record = await withProgress(s, args[0]!, 'assigning', s.api.calls.startWrittenReview(args[0]!, division(opts.division)));
        print(describeOperation(record), record);
      }),
    );
  review
    .command('status <callId>')
    .description('assignments and missing reviews')
    .action(
      run(async ({ session: s, print, args }) => {
        const view = await s.api.calls.status(args[0]!);
        const rows = Object.entries(view.assignments).map(([app, ids]) => [app, ids.join(', ')]);
        print(
          [
            table(['application', 'reviewers'], rows),
            ...view.rounds.map(
              (r) =>
                `round ${r.scope}: ${r.closedAt ? `closed, missing ${r.missing.map((m) => `${m.reviewerId}@${m.projectId}`).join(', ') || 'none'}` : 'open'}`,
            ),
          ].join('\n'),
          { assignments: view.assignments, rounds: view.rounds },
        );
      }),
    );
  review
    .command('close <callId>')
    .description('close the round now; lists missing reviews (office)')
    .option('--division <code>', 'only this division')
    .action(
      run(async ({ session: s, print, args, opts }) => {
        const rounds = await s.api.calls.closeWrittenReview(args[0]!, division(opts.division));
        print(
          rounds
            .map(
              (r) =>
                `round ${r.scope} closed; missing reviews: ${r.missing.length ? r.missing.map((m) => `${m.reviewerId} on ${m.projectId}`).join(', ') : 'none'}`,
            )
            .join('\n') || 'no open round',
          rounds,
        );
      }),
    );
  projectCommand(
    review,
    'record',
    'review.record',
    'record your review (reviewer)',
    [
      required('--score <0-100>', 'score'),
      required('--recommendation <fund|fundWithChanges|doNotFund>', 'recommendation'),
      required('--comments <text>', 'comments'),
    ],
    (o) => ({ score: Number(o.score), recommendation: o.recommendation as 'fund', comments: o.comments! }),
  );
  review
    .command('show <project>')
    .description('the reviews you may see: your own first, the others once yours is in')
    .action(
      run(async ({ session: s, print, args }) => {
        // What may be seen is the service's view of the project for the logged-in role: the law's, not this command's.
        const visible = (await s.api.projects.view(projectId(args[0]!))).context.reviews;
        print(
          visible.length
            ? table(
                ['reviewer', 'score', 'recommendation', 'comments'],
                visible.map((r) => [r.reviewerId, r.score, r.recommendation, r.comments]),
              )
            : 'Record your own review first; the others show once yours is in.',
          visible,
        );
      }),
    );
}

/** The presentation review: invitations, the schedule, the panel. */
function presentationCommands(program: Command, run: Runner): void {
  const projectCommand = projectCommandFor(run);
  const presentation = program.command('presentation').description('the presentation review');
  presentation
    .command('invite <callId> [applicationIds...]')
    .description('invite the top N of each division, or these applications (office)')
    .option('--top <n>', 'top N of each division by written score')
    .action(
      run(async ({ session: s, print, args, opts }) => {
        const [callId, ...ids] = args;
        const top = opts.top;
        const record = await withProgress(
          s,
          callId!,
          'inviting',
          s.api.calls.invitePresentations(callId!, top !== undefined ? { topPerDivision: Number(top) } : { applicationIds: ids }),
        );
        print(describeOperation(record), record);
      }),
    );
  presentation
    .command('schedule <callId>')
    .description('give every invited application a slot, division by division (office)')
    .addOption(required('--starts-at <instant>', 'first slot, e.g. 105.12.05 09:00'))
    .action(
      run(async ({ session: s, print, args, opts }) => {
        const record = await withProgress(s, args[0]!, 'scheduling', s.api.calls.schedulePresentations(args[0]!, instant(opts.startsAt!)));
        print(describeOperation(record), record);
      }),
    );
  projectCommand(
    presentation,
    'record',
    'presentation.record',
    "record the panel's score (office)",
    [required('--score <0-100>', 'panel score'), required('--comments <text>', 'comments')],
    (o) => ({ panelScore: Number(o.score), comments: o.comments! }),
  );
  projectCommand(
    presentation,
    'waive',
    'presentation.waive',
    'decide without the presentation review, saying why (office)',
    [required('--reason <text>', 'why')],
    (o) => ({ reason: o.reason! }),
  );
}

/** The decision meeting, decisions and the announcement. */
function decisionCommands(program: Command, run: Runner): void {
  const projectCommand = projectCommandFor(run);
  const decision = program.command('decision').description('the final decision meeting');
  decision
    .command('start <callId>')
    .description('open the meeting: the ranked list per division (office)')
    .action(
      run(async ({ session: s, print, args }) => {
        const ranking = await s.api.calls.startDecisionMeeting(args[0]!);
        const rows = Object.entries(ranking)
          .sort()
          .flatMap(([d, list]) => list.map((r) => [d, r.rank, r.applicationId, r.writtenAverage ?? '—', r.panelScore ?? '—']));
        print(table(['division', 'rank', 'application', 'written avg', 'panel'], rows), ranking);
      }),
    );
  projectCommand(
    decision,
    'record',
    'decision.record',
    'approve with amounts per year, or reject with a reason (office)',
    [new Option('--approve <amounts>', 'NT$ per year, comma-separated, e.g. 2000000,2000000'), new Option('--reject <reason>', 'why')],
    (o) => {
      if ((o.approve === undefined) === (o.reject === undefined)) throw new AllianceError('VALIDATION', 'Give either --approve AMOUNTS or --reject REASON.');
      return o.approve !== undefined ? { outcome: 'approved', amountsNtd: o.approve.split(',').map(amount) } : { outcome: 'rejected', reason: o.reject! };
    },
  );
  decision
    .command('announce <callId>')
    .description('announce every decision of the call at once (office)')
    .action(
      run(async ({ session: s, print, args }) => {
        const record = await withProgress(s, args[0]!, 'announcing', s.api.calls.announce(args[0]!));
        print(describeOperation(record), record);
      }),
    );
}

export function addReviewCommands(program: Command, run: Runner): void {
  writtenReviewCommands(program, run);
  presentationCommands(program, run);
  decisionCommands(program, run);
}
