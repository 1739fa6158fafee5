// `alliance` commands: a funded project's life: contract, tranches, reports, site visits, closing, and the project itself.
import { type Command, Option } from 'commander';
import { AmendableDeadline } from '../../../domain/project-events';
import { projectId } from '../session';
import { amount, describeProject, instant, projectCommandFor, required, type Runner } from './shared';

export function addProjectsCommands(program: Command, run: Runner): void {
  const projectCommand = projectCommandFor(run);
  const contract = program.command('contract').description('the grant contract');
  projectCommand(contract, 'issue', 'contract.issue', 'issue the contract (office)', [required('--number <contract number>', 'contract number')], (o) => ({
    contractNumber: o.number!,
  }));
  projectCommand(contract, 'sign', 'contract.sign', 'sign the contract (institution)', [], () => ({}));
  projectCommand(contract, 'consent', 'consent.sign', 'sign the execution consent (pi)', [], () => ({}));

  const tranche = program.command('tranche').description('disbursements');
  projectCommand(tranche, 'request', 'tranche.request', 'request the next tranche (institution)', [required('--amount <ntd>', 'NT$')], (o) => ({
    amountNtd: amount(o.amount!),
  }));
  projectCommand(
    tranche,
    'pay',
    'tranche.pay',
    'pay the requested tranche (office)',
    [required('--reference <payment reference>', 'payment reference')],
    (o) => ({ paymentReference: o.reference! }),
  );

  const report = program.command('report').description('annual progress reports');
  projectCommand(report, 'submit', 'progressReport.submit', 'submit the progress report (pi)', [required('--summary <text>', 'summary')], (o) => ({
    summary: o.summary!,
  }));
  projectCommand(
    report,
    'accept',
    'progressReport.accept',
    'accept it, releasing next year (office)',
    [new Option('--comments <text>', 'comments').default('')],
    (o) => ({ comments: o.comments ?? '' }),
  );
  projectCommand(report, 'return', 'progressReport.return', 'return it for changes (office)', [required('--reason <text>', 'why')], (o) => ({
    reason: o.reason!,
  }));

  const visit = program.command('site-visit').description('site visits');
  projectCommand(visit, 'select', 'siteVisit.select', 'select the project for a visit (office)', [], () => ({}));
  projectCommand(
    visit,
    'record',
    'siteVisit.record',
    'record the visit (office)',
    [required('--date <instant>', 'when, e.g. 107.04.15 10:00'), required('--suggestions <text>', 'improvement suggestions')],
    (o) => ({ visitedOn: instant(o.date!), suggestions: o.suggestions! }),
  );

  const closing = program.command('closing').description('the closing report');
  projectCommand(closing, 'submit', 'closingReport.submit', 'submit the closing report (pi)', [required('--summary <text>', 'summary')], (o) => ({
    summary: o.summary!,
  }));
  projectCommand(
    closing,
    'accept',
    'closingReport.accept',
    'accept it and close the project (office)',
    [new Option('--comments <text>', 'comments').default('')],
    (o) => ({ comments: o.comments ?? '' }),
  );
  projectCommand(closing, 'return', 'closingReport.return', 'return it for changes (office)', [required('--reason <text>', 'why')], (o) => ({
    reason: o.reason!,
  }));

  const project = program.command('project').description('one project');
  project
    .command('show <project>')
    .description('where a project stands')
    .action(
      run(async ({ session: s, print, args }) => {
        const view = await s.api.projects.view(projectId(args[0]!));
        print(describeProject(view), view);
      }),
    );
  projectCommand(project, 'suspend', 'project.suspend', 'suspend a running project (office)', [required('--reason <text>', 'why')], (o) => ({
    reason: o.reason!,
  }));
  projectCommand(project, 'resume', 'project.resume', 'resume a suspended project (office)', [], () => ({}));
  projectCommand(project, 'terminate', 'project.terminate', 'terminate the project (office)', [required('--reason <text>', 'why')], (o) => ({
    reason: o.reason!,
  }));
  projectCommand(
    project,
    'amend-deadline',
    'deadline.amend',
    "move one of the project's deadlines, saying why (office)",
    [
      required('--deadline <name>', 'which deadline').choices(AmendableDeadline.options),
      required('--until <instant>', 'the new deadline, e.g. 2016-09-13T17:00:00+08:00'),
      required('--reason <text>', 'why'),
    ],
    (o) => ({ deadline: AmendableDeadline.parse(o.deadline), until: o.until!, reason: o.reason! }),
  );
}
