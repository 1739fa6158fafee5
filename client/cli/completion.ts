// `alliance completion bash|zsh`: a shell completion script generated from the program's own
// command tree (commands, subcommands, their options and the values they accept), so it follows the
// commands as they change. The scripts are in completion-scripts.ts; docs/cli.md says how to install.
import { Argument, type Command, type Option } from 'commander';
import { bashCompletion, type CompletionNode, type CompletionOption, zshCompletion } from './completion-scripts';

export const completionShells = ['bash', 'zsh'] as const;
export type CompletionShell = (typeof completionShells)[number];

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

function completionOption(option: Option): CompletionOption {
  return {
    names: [option.short, option.long].filter((name): name is string => Boolean(name)),
    description: oneLine(option.description),
    takesValue: option.required || option.optional,
    choices: option.argChoices ?? [],
  };
}

/** Options a subcommand inherits: all of its parent's but help and version, which belong to each command or the program. */
const inheritable = (option: CompletionOption): boolean => !option.names.includes('--help') && !option.names.includes('--version');

function walk(command: Command, path: string[], inherited: CompletionOption[], parent: Command | undefined): CompletionNode[] {
  const help = command.createHelp();
  const own = help.visibleOptions(command).map(completionOption);
  const options = [...own, ...inherited.filter((option) => !option.names.some((name) => own.some((mine) => mine.names.includes(name))))];
  const subcommands = help.visibleCommands(command);
  // commander's implicit `help [command]` is no child of its parent: its operand is one of its siblings.
  const isHelpCommand = parent !== undefined && !parent.commands.includes(command);
  const siblings = parent
    ? parent
        .createHelp()
        .visibleCommands(parent)
        .filter((c) => parent.commands.includes(c))
    : [];
  const node: CompletionNode = {
    path,
    commands: subcommands.map((c) => ({ name: c.name(), aliases: c.aliases(), description: oneLine(c.summary() || c.description()) })),
    options,
    operands: isHelpCommand ? [siblings.map((c) => c.name())] : command.registeredArguments.map((argument) => argument.argChoices ?? []),
    variadic: command.registeredArguments.at(-1)?.variadic ?? false,
  };
  const passedOn = options.filter(inheritable);
  return [node, ...subcommands.flatMap((sub) => walk(sub, [...path, sub.name()], passedOn, command))];
}

/** Every command of the program with what completes after it, the program first. */
export function completionTree(program: Command): CompletionNode[] {
  return walk(program, [], [], undefined);
}

/** The completion script of `shell` for `program`, as `alliance completion <shell>` prints it. */
export function completionScript(program: Command, shell: CompletionShell, version: string): string {
  const nodes = completionTree(program);
  return shell === 'bash' ? bashCompletion(program.name(), version, nodes) : zshCompletion(program.name(), version, nodes);
}

/** Adds `completion <shell>` to the program; add it last or first, it reads the whole tree when run. */
export function addCompletionCommand(program: Command): void {
  program
    .command('completion')
    .description('print the shell completion script for bash or zsh (install it as docs/cli.md shows, e.g. `source <(alliance completion bash)`)')
    .addArgument(new Argument('<shell>', 'the shell').choices(completionShells))
    .action(async (shell: CompletionShell) => {
      const script = completionScript(program, shell, program.version() ?? 'unknown');
      // Written in full before `alliance` exits, however slowly the pipe is read (a closed one: alliance.ts).
      await new Promise<void>((resolve) => process.stdout.write(script, () => resolve()));
    });
}
