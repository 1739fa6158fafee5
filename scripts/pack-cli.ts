/**
 * `node dist/scripts/pack-cli.js [--out DIR]`: the `alliance` command line as a package of its own,
 * for `npm install -g <tarball>` without the service's dependencies. It follows the compiled
 * command line's require() calls from its entry (package.json's `bin`) through dist/, copies only
 * the files reached into a staging folder with a package.json of its own (`alliance-cli`, the
 * repository's version and Node engines, and exactly the packages reached, at the versions pinned in
 * the root package.json), runs `npm pack` there and prints the tarball's path (by default in dist/).
 * Run it after `make build`.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import ts from 'typescript';

export const CLI_PACKAGE_NAME = 'alliance-cli';

export interface RootManifest {
  version: string;
  license?: string;
  engines?: Record<string, string>;
  bin: Record<string, string>;
  dependencies?: Record<string, string>;
}

export interface CliClosure {
  /** The compiled files reached, relative to the repository (dist/…), sorted. */
  files: string[];
  /** The npm packages they require, sorted. */
  packages: string[];
}

export interface PackedCli extends CliClosure {
  /** The tarball's absolute path. */
  tarball: string;
  manifest: ReturnType<typeof cliManifest>;
}

/** The repository: the nearest folder above this file with a package.json (scripts/ under jest, dist/scripts/ built). */
export function repositoryRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** The package a bare specifier names: "zod/v4" is zod, "@temporalio/client/lib/x" is @temporalio/client. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Every compiled file `entry` reaches through require() and import() under dist/, and the packages they require. */
export function cliClosure(root: string, entry: string): CliClosure {
  const dist = path.join(root, 'dist') + path.sep;
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [path.resolve(root, entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    if (!file.startsWith(dist)) throw new Error(`${entry} reaches ${path.relative(root, file)}, outside dist/: the packed command line would lack it`);
    files.add(file);
    if (!file.endsWith('.js')) continue; // JSON data, required as is
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (isBuiltin(specifier)) continue;
      if (specifier.startsWith('.')) pending.push(createRequire(file).resolve(specifier));
      else packages.add(packageOf(specifier));
    }
  }
  return { files: [...files].map((file) => path.relative(root, file)).sort(), packages: [...packages].sort() };
}

/** The packed command line's package.json: the root's version, licence, engines and `alliance` bin; only the packages reached, pinned as the root pins them. */
export function cliManifest(root: RootManifest, packages: string[]) {
  const dependencies = Object.fromEntries(
    packages.map((name) => {
      const version = root.dependencies?.[name];
      if (version === undefined) throw new Error(`the command line requires ${name}, which is not among package.json's dependencies`);
      if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) throw new Error(`package.json pins ${name} as "${version}": exact versions only`);
      return [name, version];
    }),
  );
  const bin = root.bin.alliance;
  if (bin === undefined) throw new Error('package.json has no `alliance` bin');
  return {
    name: CLI_PACKAGE_NAME,
    version: root.version,
    description: 'alliance: the command line of the Industry–Academia Technology Alliance programme (產學技術聯盟合作計畫) service, a client of its HTTP API.',
    license: root.license ?? 'UNLICENSED',
    // Installed from its tarball, never published to the public registry by mistake.
    private: true,
    bin: { alliance: bin },
    engines: root.engines ?? {},
    dependencies,
  };
}

/** Stages the command line's closure with its own package.json and packs it into `out`. */
export function packCli(root: string, out: string): PackedCli {
  const rootManifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as RootManifest;
  const entry = rootManifest.bin.alliance;
  if (entry === undefined) throw new Error('package.json has no `alliance` bin');
  if (!existsSync(path.join(root, entry))) throw new Error(`${entry} is missing: run \`make build\` first`);
  const closure = cliClosure(root, entry);
  const manifest = cliManifest(rootManifest, closure.packages);
  const staging = mkdtempSync(path.join(os.tmpdir(), `${CLI_PACKAGE_NAME}-staging-`));
  try {
    for (const file of closure.files) {
      mkdirSync(path.dirname(path.join(staging, file)), { recursive: true });
      copyFileSync(path.join(root, file), path.join(staging, file));
    }
    chmodSync(path.join(staging, entry), 0o755);
    writeFileSync(path.join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    mkdirSync(out, { recursive: true });
    const packed = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', path.resolve(out)], {
      cwd: staging,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [{ filename }] = JSON.parse(packed) as [{ filename: string }];
    return { ...closure, manifest, tarball: path.resolve(out, path.basename(filename)) };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const root = repositoryRoot();
  const { values } = parseArgs({ options: { out: { type: 'string', default: path.join(root, 'dist') } } });
  const packed = packCli(root, values.out);
  const dependencies = Object.entries(packed.manifest.dependencies).map(([name, version]) => `${name} ${version}`);
  console.error(`${CLI_PACKAGE_NAME} ${packed.manifest.version}: ${packed.files.length} files; dependencies ${dependencies.join(', ') || 'none'}`);
  console.log(packed.tarball);
}
