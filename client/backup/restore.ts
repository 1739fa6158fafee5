// `alliance backup restore` and `verify`: a set is checked whole — every SHA-256, the keys it needs —
// before anything is written, and restored only into a fresh data directory.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Environment } from '../../domain/environment';
import { AllianceError } from '../../domain/errors';
import { parseSignerKey, verifierKeyOf } from '../../tlog/checkpoint';
import { readKeyFile } from '../../tlog/key-file';
import { flush, flushTree, mustBeFresh, mustNotExist } from './files';
import { locations, within, type Locations } from './locations';
import { checkSet, hashFile, keyFingerprint, readManifest, type BackupFile, type Manifest, type Part } from './manifest';

export interface KeyFiles {
  /** The payload key file kept apart from the set (else ALLIANCE_PAYLOAD_KEYS_FILE). */
  payloadKeys?: string;
  /** The log signing key kept apart from the set (else ALLIANCE_LOG_SIGNING_KEY_FILE). */
  signingKey?: string;
}

const NOTHING_WRITTEN = '; nothing was written';

/** The payload key file given holds every key the set's data is sealed under; one line naming the missing ones otherwise. */
function checkPayloadKeys(manifest: Manifest, file: string | undefined): string {
  const needed = manifest.payloadKeys.required;
  if (!file)
    throw new AllianceError(
      'VALIDATION',
      `--payload-keys FILE: this set's data is sealed under payload key(s) ${needed.join(', ')}; give the key file kept apart from the backup${NOTHING_WRITTEN}.`,
    );
  let held: Map<string, string>;
  try {
    held = new Map(readKeyFile(file, '--payload-keys').keys.map((k) => [k.id, keyFingerprint(k.key)]));
  } catch (error) {
    throw new AllianceError('VALIDATION', `${(error as Error).message}${NOTHING_WRITTEN}.`);
  }
  const { fingerprints } = manifest.payloadKeys;
  const missing = needed.filter((id) => !held.has(id));
  const other = needed.filter((id) => held.has(id) && fingerprints[id] !== undefined && fingerprints[id] !== held.get(id));
  if (missing.length || other.length)
    throw new AllianceError(
      'VALIDATION',
      `--payload-keys ${file} ${[missing.length ? `lacks payload key(s) ${missing.join(', ')}` : '', other.length ? `holds another key than the set's under id(s) ${other.join(', ')}` : ''].filter(Boolean).join(' and ')}, which this set's data is sealed under: give the key file kept apart from the backup (it holds every key ever made)${NOTHING_WRITTEN}.`,
    );
  return readFileSync(file, 'utf8');
}

/** The signing key given is the one the ledger's checkpoints are signed with (a new one would not open them). */
function checkSigningKey(manifest: Manifest, file: string | undefined): string | null {
  const expected = manifest.logSigning?.verifierKey;
  if (!file) {
    if (!expected) return null;
    throw new AllianceError(
      'VALIDATION',
      `--signing-key FILE: this ledger's checkpoints are signed with ${expected}; give that signing key, kept apart from the backup (a new one would not open the published checkpoints)${NOTHING_WRITTEN}.`,
    );
  }
  let text: string;
  let verifier: string;
  try {
    text = readFileSync(file, 'utf8');
    verifier = verifierKeyOf(parseSignerKey(text.trim()));
  } catch (error) {
    throw new AllianceError('VALIDATION', `--signing-key ${file}: ${(error as Error).message}${NOTHING_WRITTEN}.`);
  }
  if (expected && verifier !== expected)
    throw new AllianceError(
      'VALIDATION',
      `--signing-key ${file} is not the key this ledger's checkpoints are signed with (its verifier key is ${verifier}, the set's ${expected})${NOTHING_WRITTEN}.`,
    );
  return text;
}

/** The key file to check: the one given, or the one the service will read; both, and they must be one. */
function keyFile(option: string, given: string | undefined, variable: string, configured: string | undefined): string | undefined {
  if (given && configured && path.resolve(given) !== path.resolve(configured))
    throw new AllianceError(
      'VALIDATION',
      `${option} ${given} is not ${variable} ${configured}, which the service will read: give that one, or leave ${option} out${NOTHING_WRITTEN}.`,
    );
  return given ?? configured;
}

/** Checks a set: its manifest, every file's size and SHA-256, and, when given, the keys it needs. */
export async function verifySet(dir: string, keys: KeyFiles = {}): Promise<{ manifest: Manifest; files: number; bytes: number }> {
  const manifest = await readManifest(path.resolve(dir));
  const checked = await checkSet(path.resolve(dir), manifest);
  if (keys.payloadKeys) checkPayloadKeys(manifest, keys.payloadKeys);
  if (keys.signingKey) checkSigningKey(manifest, keys.signingKey);
  return { manifest, ...checked };
}

/** One file to write: from the set (checked again as it is copied) or a key's text, to its place. */
interface Placement {
  to: string;
  mode: number;
  from?: BackupFile;
  text?: string;
}

/** Where a part lives on this deployment: its file, or the directory its files go into. */
const partTarget = (where: Locations, part: Part): string | null =>
  ({ temporal: where.temporal, ledger: where.ledger, notices: where.notices, documents: where.documents, witness: where.witness })[part];

/** Where each file of the set goes on this deployment; a part it has no place for is refused. */
function placements(manifest: Manifest, where: Locations): Placement[] {
  const kind = (source: Manifest['source']) =>
    `${source.temporal === 'embedded' ? 'the embedded Temporal server' : 'a Temporal cluster'} with ${source.database === 'sqlite' ? 'SQLite files' : 'PostgreSQL'}`;
  if (manifest.source.database !== where.source.database || manifest.source.temporal !== where.source.temporal)
    throw new AllianceError(
      'VALIDATION',
      `This set was taken from ${kind(manifest.source)}, and this environment is ${kind(where.source)} (TEMPORAL_ADDRESS, DATABASE_URL): restore into the same kind of deployment${manifest.source.database === 'postgres' ? ', its database with pg_restore first' : ''}${NOTHING_WRITTEN}.`,
    );
  return manifest.files.map((file) => {
    const root = partTarget(where, file.part);
    if (!root) throw new AllianceError('VALIDATION', `This set holds ${file.part} files, which this environment keeps nowhere on disk${NOTHING_WRITTEN}.`);
    const inner = file.part === 'documents' || file.part === 'witness' ? file.path.slice(file.part.length + 1) : '';
    return { from: file, to: inner ? path.join(root, inner) : root, mode: file.part === 'witness' ? 0o444 : 0o600 };
  });
}

/** A target root (the data directory, or a part kept outside it) and where it is staged until everything is written. */
interface Root {
  target: string;
  staging: string;
  file: boolean;
  /** What it is, for a refusal: the variable that names it. */
  what: string;
}

function rootsOf(where: Locations, placed: Placement[]): Root[] {
  const suffix = `.restoring-${randomBytes(4).toString('hex')}`;
  const roots: Root[] = [{ target: where.dataDir, staging: `${where.dataDir}${suffix}`, file: false, what: 'The data directory (ALLIANCE_DATA_DIR)' }];
  const outside = (target: string | null, file: boolean, what: string) => {
    if (target && placed.some((p) => within(p.to, target)) && !within(target, where.dataDir)) {
      if (within(where.dataDir, target))
        throw new AllianceError('VALIDATION', `${target} holds the data directory ${where.dataDir}: give them apart${NOTHING_WRITTEN}.`);
      roots.push({ target, staging: `${target}${suffix}`, file, what });
    }
  };
  outside(where.ledger, true, 'The ledger file (ALLIANCE_LEDGER_PATH)');
  outside(where.documents, false, 'The documents directory (ALLIANCE_DOCUMENTS_DIR)');
  outside(where.witness, false, 'The witness directory (ALLIANCE_WITNESS_DIR)');
  return roots;
}

const stagedPath = (roots: Root[], to: string): string => {
  const root = roots.filter((r) => within(to, r.target)).sort((a, b) => b.target.length - a.target.length)[0]!;
  return root.file ? root.staging : path.join(root.staging, path.relative(root.target, to));
};

/** Writes every placement into the staging roots, each copy checked against the manifest again. */
async function writeStaged(dir: string, roots: Root[], placed: Placement[]): Promise<void> {
  for (const root of roots) if (!root.file) await mkdir(root.staging, { recursive: true, mode: 0o700 });
  for (const placement of placed) {
    const staged = stagedPath(roots, placement.to);
    await mkdir(path.dirname(staged), { recursive: true, mode: 0o700 });
    if (placement.from) {
      await copyFile(path.join(dir, placement.from.path), staged);
      const copied = await hashFile(staged);
      if (copied.sha256 !== placement.from.sha256 || copied.size !== placement.from.size)
        throw new AllianceError('INTEGRITY', `${placement.from.path} changed while it was restored: the set is being altered${NOTHING_WRITTEN}.`);
    } else await writeFile(staged, placement.text!);
    await chmod(staged, placement.mode);
  }
  for (const root of roots) await (root.file ? flush(root.staging) : flushTree(root.staging));
}

export interface Restored {
  manifest: Manifest;
  dataDir: string;
  files: number;
  bytes: number;
  /** Where each part went, and the keys put back in the data directory. */
  placed: string[];
}

/**
 * Restores a set into a fresh data directory (and the parts this environment keeps outside it):
 * the manifest, every SHA-256 and the keys are checked first, and nothing is written unless all
 * hold; the files are staged beside their targets and renamed into place once all are written.
 * The keys the embedded default keeps in its data directory are put back there from the files
 * given; a deployment that points at its key files (ALLIANCE_PAYLOAD_KEYS_FILE,
 * ALLIANCE_LOG_SIGNING_KEY_FILE) keeps reading them there.
 */
export async function restoreSet(dir: string, env: Environment, options: KeyFiles & { dataDir?: string } = {}): Promise<Restored> {
  const set = path.resolve(dir);
  const manifest = await readManifest(set);
  const where = locations(env, options.dataDir);
  const placed = placements(manifest, where);
  const payloadKeys = checkPayloadKeys(manifest, keyFile('--payload-keys', options.payloadKeys, 'ALLIANCE_PAYLOAD_KEYS_FILE', env.ALLIANCE_PAYLOAD_KEYS_FILE));
  const signingKey = checkSigningKey(
    manifest,
    keyFile('--signing-key', options.signingKey, 'ALLIANCE_LOG_SIGNING_KEY_FILE', env.ALLIANCE_LOG_SIGNING_KEY_FILE),
  );
  if (where.payloadKeys.inDataDir) placed.push({ to: where.payloadKeys.file, mode: 0o600, text: payloadKeys });
  if (signingKey !== null && where.signingKey?.inDataDir) placed.push({ to: where.signingKey.file, mode: 0o600, text: signingKey });
  const roots = rootsOf(where, placed);
  for (const root of roots) await (root.file ? mustNotExist(root.target, root.what) : mustBeFresh(root.target, root.what));
  const checked = await checkSet(set, manifest, NOTHING_WRITTEN);
  try {
    await writeStaged(set, roots, placed);
    // Into place: rename(2) takes a new name or an empty directory's.
    for (const root of roots) await rename(root.staging, root.target);
    for (const root of roots) await flush(path.dirname(root.target));
  } catch (error) {
    for (const root of roots) await rm(root.staging, { recursive: true, force: true });
    throw error;
  }
  const parts = manifest.order.filter((part) => manifest.files.some((f) => f.part === part));
  return {
    manifest,
    dataDir: where.dataDir,
    ...checked,
    placed: [
      ...parts.map((part) => `${part}: ${partTarget(where, part)}`),
      ...(where.payloadKeys.inDataDir ? [`payload keys: ${where.payloadKeys.file}`] : []),
      ...(signingKey !== null && where.signingKey?.inDataDir ? [`log signing key: ${where.signingKey.file}`] : []),
    ],
  };
}
