// The bash and zsh completion scripts of `alliance completion`, written from the command tree
// (completion.ts). Both walk the words typed so far the same way: a word naming a subcommand of the
// command reached descends into it, an option that takes a value skips the value, any other word is
// a positional argument. After an option with named values they offer those; after a word starting
// with "-" the options; at a command with subcommands the subcommands; else the positional
// argument's named values, or file names.
export interface CompletionOption {
  /** Its short and long names, e.g. ['-h', '--help']. */
  names: string[];
  description: string;
  takesValue: boolean;
  /** The values it accepts, when it names them; otherwise the shell offers file names. */
  choices: string[];
}

export interface CompletionNode {
  /** The subcommand names from the program down to this command ([] for the program). */
  path: string[];
  commands: { name: string; aliases: string[]; description: string }[];
  /** Its own options and those of the commands above it (commander reads those anywhere). */
  options: CompletionOption[];
  /** The values each positional argument accepts ([] for anything: file names). */
  operands: string[][];
  /** Whether the last positional argument repeats. */
  variadic: boolean;
}

/** Single-quoted for bash and zsh alike. */
const q = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
const key = (node: CompletionNode): string => q(node.path.join(' '));
const optionNames = (node: CompletionNode): string[] => node.options.flatMap((o) => o.names);
const valued = (node: CompletionNode): string[] => node.options.filter((o) => o.takesValue).flatMap((o) => o.names);
const names = (node: CompletionNode): string[] => node.commands.flatMap((c) => [c.name, ...c.aliases]);

/** `case` arms mapping "PATH|WORD" to a command's name, for aliases. */
function aliasArms(nodes: CompletionNode[], assign: (name: string) => string): string[] {
  return nodes.flatMap((node) => node.commands.flatMap((c) => c.aliases.map((alias) => `    ${q(`${node.path.join(' ')}|${alias}`)}) ${assign(c.name)} ;;`)));
}

/** `case` arms mapping "PATH|OPTION" and "PATH|INDEX" (a positional argument, from 0) to the values they accept. */
function valueArms(nodes: CompletionNode[], assign: (values: string[]) => string): string[] {
  return nodes.flatMap((node) => {
    const path = node.path.join(' ');
    const options = node.options.filter((o) => o.choices.length).flatMap((o) => o.names.map((name) => [`${path}|${name}`, o.choices] as const));
    const operands = node.operands.flatMap((choices, index) => (choices.length ? [[`${path}|${index}`, choices] as const] : []));
    return [...options, ...operands].map(([pattern, values]) => `    ${q(pattern)}) ${assign(values)} ;;`);
  });
}

const header = (program: string, version: string, shell: string): string[] => [
  `# ${shell} completion for \`${program}\` ${version}, generated from its commands by \`${program} completion ${shell}\`.`,
  `# Install it as docs/cli.md shows, e.g. \`source <(${program} completion ${shell})\` in your shell's start-up file.`,
];

/** The shell function both scripts share: a command's alias or name as the program knows it. */
const nameFunction = (f: string, nodes: CompletionNode[]): string[] => [
  `${f}_name() {`,
  '  case "$1|$2" in',
  ...aliasArms(nodes, (name) => `${f}_word=${q(name)}`),
  `    *) ${f}_word=$2 ;;`,
  '  esac',
  '}',
];

export function bashCompletion(program: string, version: string, nodes: CompletionNode[]): string {
  const f = `_${program.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const node = (n: CompletionNode): string =>
    `    ${key(n)}) ${f}_commands=${q(names(n).join(' '))}; ${f}_options=${q(optionNames(n).join(' '))}; ${f}_valued=${q(valued(n).join(' '))}; ${f}_variadic=${n.variadic ? n.operands.length - 1 : "''"} ;;`;
  return [
    ...header(program, version, 'bash'),
    `${f}_node() {`,
    '  case "$1" in',
    ...nodes.map(node),
    `    *) ${f}_commands=''; ${f}_options=''; ${f}_valued=''; ${f}_variadic='' ;;`,
    '  esac',
    '}',
    ...nameFunction(f, nodes),
    `${f}_values() {`,
    '  case "$1|$2" in',
    ...valueArms(nodes, (values) => `${f}_reply=${q(values.join(' '))}`),
    `    *) ${f}_reply='' ;;`,
    '  esac',
    '}',
    `${f}() {`,
    '  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmdpath= word i operands=0',
    `  local ${f}_commands ${f}_options ${f}_valued ${f}_variadic ${f}_word ${f}_reply`,
    `  ${f}_node ''`,
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    word=${COMP_WORDS[i]}',
    '    if [[ $word == -* ]]; then',
    `      if [[ $word != *=* && " $${f}_valued " == *" $word "* ]]; then`,
    '        if [[ ${COMP_WORDS[i+1]} == = ]]; then ((i += 2)); else ((i += 1)); fi',
    '      fi',
    `    elif ((operands == 0)) && [[ " $${f}_commands " == *" $word "* ]]; then`,
    `      ${f}_name "$cmdpath" "$word"`,
    `      cmdpath=\${cmdpath:+$cmdpath }$${f}_word`,
    `      ${f}_node "$cmdpath"`,
    '    else',
    '      ((operands += 1))',
    '    fi',
    '  done',
    '  if [[ $prev == = ]] && ((COMP_CWORD > 2)); then prev=${COMP_WORDS[COMP_CWORD-2]}; fi',
    '  COMPREPLY=()',
    `  if ((COMP_CWORD > 1)) && [[ " $${f}_valued " == *" $prev "* ]]; then`,
    `    ${f}_values "$cmdpath" "$prev"`,
    '  elif [[ $cur == -* ]]; then',
    `    ${f}_reply=$${f}_options`,
    `  elif ((operands == 0)) && [[ -n $${f}_commands ]]; then`,
    `    ${f}_reply=$${f}_commands`,
    '  else',
    `    if [[ -n $${f}_variadic ]] && ((operands > ${f}_variadic)); then operands=$${f}_variadic; fi`,
    `    ${f}_values "$cmdpath" "$operands"`,
    '  fi',
    `  if [[ -n $${f}_reply ]]; then COMPREPLY=($(compgen -W "$${f}_reply" -- "$cur")); fi`,
    '  return 0',
    '}',
    `complete -o default -F ${f} ${program}`,
    '',
  ].join('\n');
}

/** A zsh array of "name:description" entries, as _describe takes them. */
const described = (entries: { name: string; description: string }[]): string =>
  `(${entries.map((e) => q(`${e.name.replace(/:/g, '\\:')}:${e.description}`)).join(' ')})`;

export function zshCompletion(program: string, version: string, nodes: CompletionNode[]): string {
  const f = `_${program.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const node = (n: CompletionNode): string => {
    const commands = n.commands.flatMap((c) => [c.name, ...c.aliases].map((name) => ({ name, description: c.description })));
    const options = n.options.flatMap((o) => o.names.map((name) => ({ name, description: o.description })));
    return `    ${key(n)}) ${f}_names=(${names(n).map(q).join(' ')}); ${f}_commands=${described(commands)}; ${f}_options=${described(options)}; ${f}_valued=(${valued(n).map(q).join(' ')}); ${f}_variadic=${n.variadic ? n.operands.length - 1 : "''"} ;;`;
  };
  return [
    `#compdef ${program}`,
    ...header(program, version, 'zsh'),
    `${f}_node() {`,
    '  case "$1" in',
    ...nodes.map(node),
    `    *) ${f}_names=(); ${f}_commands=(); ${f}_options=(); ${f}_valued=(); ${f}_variadic='' ;;`,
    '  esac',
    '}',
    ...nameFunction(f, nodes),
    `${f}_values() {`,
    '  case "$1|$2" in',
    ...valueArms(nodes, (values) => `reply=(${values.map(q).join(' ')})`),
    '    *) reply=() ;;',
    '  esac',
    '}',
    `${f}() {`,
    `  local cmdpath= word prev i operands=0 ${f}_variadic ${f}_word`,
    `  local -a ${f}_names ${f}_commands ${f}_options ${f}_valued reply`,
    `  ${f}_node ''`,
    '  for ((i = 2; i < CURRENT; i++)); do',
    '    word=${words[i]}',
    '    if [[ $word == -* ]]; then',
    `      if [[ $word != *=* ]] && ((\${${f}_valued[(Ie)$word]})); then ((i += 1)); fi`,
    `    elif ((operands == 0 && \${${f}_names[(Ie)$word]})); then`,
    `      ${f}_name "$cmdpath" "$word"`,
    `      cmdpath=\${cmdpath:+$cmdpath }$${f}_word`,
    `      ${f}_node "$cmdpath"`,
    '    else',
    '      ((operands += 1))',
    '    fi',
    '  done',
    '  prev=${words[CURRENT-1]}',
    `  if ((CURRENT > 2 && \${${f}_valued[(Ie)$prev]})); then`,
    `    ${f}_values "$cmdpath" "$prev"`,
    '  elif [[ $PREFIX == -* ]]; then',
    `    _describe -t options option ${f}_options`,
    '    return',
    `  elif ((operands == 0 && $#${f}_commands)); then`,
    `    _describe -t commands command ${f}_commands`,
    '    return',
    '  else',
    `    if [[ -n $${f}_variadic ]] && ((operands > ${f}_variadic)); then operands=$${f}_variadic; fi`,
    `    ${f}_values "$cmdpath" "$operands"`,
    '  fi',
    '  if (($#reply)); then compadd -a reply; else _files; fi',
    '}',
    `if [[ $funcstack[1] == ${f} ]]; then ${f} "$@"; else compdef ${f} ${program}; fi`,
    '',
  ].join('\n');
}
