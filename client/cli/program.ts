import { Command } from 'commander';
import { errorCodes } from '../../domain/errors';
import { addAccountCommands } from './commands/account';
import { addAuditCommands } from './commands/audit';
import { addBackupCommands } from './commands/backup';
import { addCallsCommands } from './commands/calls';
import { addOperatorsCommands } from './commands/operators';
import { addProjectsCommands } from './commands/projects';
import { addDocumentCommands } from './commands/documents';
import { addReviewCommands } from './commands/review';
import type { Runner } from './commands/shared';
import { addCompletionCommand } from './completion';
import { cliVersion } from './version';

export type { ActionContext, Globals, Print, Runner } from './commands/shared';
export { describeProject } from './commands/shared';

/** The `alliance` command line: every operation of every role, tables by default, --json for scripts. */
export function buildProgram(run: Runner): Command {
  const program = new Command('alliance')
    .description('Industry–Academia Technology Alliance programme (產學技術聯盟合作計畫): calls, projects, reviews and decisions.')
    .version(cliVersion(), '-V, --version', 'print the version of the command line')
    .option('--json', 'print JSON for scripts instead of tables')
    .showHelpAfterError()
    // Before the subcommands, which inherit it: a usage mistake anywhere throws, and alliance.ts exits 2 (VALIDATION).
    .exitOverride()
    .addHelpText(
      'after',
      `\nExit status: 0 success; ${Object.entries(errorCodes)
        .map(([code, { exitStatus }]) => `${exitStatus} ${code}`)
        .join('; ')}; 1 anything else.`,
    );

  addAccountCommands(program, run);
  addCallsCommands(program, run);
  addReviewCommands(program, run);
  addProjectsCommands(program, run);
  addDocumentCommands(program, run);
  addAuditCommands(program, run);
  addOperatorsCommands(program, run);
  addBackupCommands(program, run);
  addCompletionCommand(program);
  return program;
}
