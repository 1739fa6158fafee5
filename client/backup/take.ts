// `alliance backup create`: the embedded default's data as one consistent set, taken while the
// service runs, with a manifest of every file's SHA-256 and size. The keys stay out of it.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Environment } from '../../domain/environment';
import { AllianceError } from '../../domain/errors';
import { PayloadKeyId } from '../../domain/payload-keys';
import { parseSignerKey, verifierKeyOf } from '../../tlog/checkpoint';
import { readKeyFile } from '../../tlog/key-file';
import { cliVersion } from '../cli/version';
import { flush, flushTree, isDirectory, isFile, mustBeFresh, sealedUnder, snapshotSqlite, sqliteVersion } from './files';
import { locations, within, type Locations } from './locations';
import { BACKUP_FORMAT, hashFile, keyFingerprint, MANIFEST_FILE, MAX_FILES, type BackupFile, type Manifest, type Part } from './manifest';

export interface TakenSet {
  dir: string;
  manifest: Manifest;
  bytes: number;
}

const WITNESS_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** The ids of the payload keys the service holds: a restore must be given a file with every one of them. */
function payloadKeyIds(where: Locations): { ids: string[]; current: string; fingerprints: Record<string, string> } {
  try {
    const file = readKeyFile(where.payloadKeys.file, where.payloadKeys.inDataDir ? 'the payload key file' : 'ALLIANCE_PAYLOAD_KEYS_FILE');
    return { ids: file.keys.map((k) => k.id), current: file.current, fingerprints: Object.fromEntries(file.keys.map((k) => [k.id, keyFingerprint(k.key)])) };
  } catch (error) {
    throw new AllianceError(
      'VALIDATION',
      `${(error as Error).message}: a backup names the payload keys its data needs, and reads their ids there (never the keys).`,
    );
  }
}

/** The log's public verifier key, which a restore checks the signing key it is given against; null when nothing signs. */
function logVerifierKey(env: Environment, where: Locations): string | null {
  if (env.ALLIANCE_LOG_VERIFIER_KEY) return env.ALLIANCE_LOG_VERIFIER_KEY;
  if (!where.signingKey) return null;
  let text: string;
  try {
    text = readFileSync(where.signingKey.file, 'utf8').trim();
  } catch (error) {
    // The embedded default makes its key at the first start: none yet, nothing signed yet.
    if (where.signingKey.inDataDir && (error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new AllianceError('VALIDATION', `Cannot read the log signing key ${where.signingKey.file} for its verifier key: ${(error as Error).message}.`);
  }
  return verifierKeyOf(parseSignerKey(text));
}

/** What the set leaves to the operator, in its manifest and in the command's answer. */
function notesFor(where: Locations, keyIds: string[], signed: boolean): string[] {
  return [
    `Not in the set: the payload keys (${where.payloadKeys.file}: it needs ${keyIds.join(', ')})${signed && where.signingKey ? ` and the log signing key (${where.signingKey.file})` : ''}. Keep them apart from it: a restore asks for them.`,
    ...(where.source.database === 'postgres'
      ? [
          `DATABASE_URL: the ledger, the archive, the notice log${where.source.documents === 'postgres' ? ', the documents' : ''} and the browser sessions are in PostgreSQL: back them up with pg_dump or a base backup begun after this set was taken.`,
        ]
      : []),
    ...(where.source.temporal === 'cluster'
      ? ["TEMPORAL_ADDRESS: Temporal's database is the cluster's: back it up with the cluster's own tools, before this set is taken."]
      : []),
    "Not in the set: the browser sessions (everyone logs in again after a restore), the embedded identity provider's data (export its realm), the try-out mail sink's files.",
  ];
}

/** Checks what a backup needs before anything is written: a fresh target outside the data, the databases there, the keys' ids. */
async function preflight(env: Environment, target: string, dataDir: string | undefined) {
  const where = locations(env, dataDir);
  await mustBeFresh(target, 'The backup directory');
  for (const source of [where.dataDir, where.documents, where.witness])
    if (source && within(target, source))
      throw new AllianceError('VALIDATION', `The backup directory ${target} lies inside ${source}: write the set outside the service's data.`);
  for (const [file, what] of [
    [where.temporal, "Temporal's database"],
    [where.ledger, 'the audit ledger'],
  ] as const) {
    if (file && !(await isFile(file)))
      throw new AllianceError(
        'VALIDATION',
        `${file}: no ${what} there. Is ${where.dataDir} the service's data directory (ALLIANCE_DATA_DIR, or --data-dir)? Start the service once before backing it up.`,
      );
  }
  return { where, keys: payloadKeyIds(where), verifierKey: logVerifierKey(env, where) };
}

/**
 * Takes the set into a staging directory beside the target and renames it into place once its
 * manifest is written and everything is flushed: an interrupted backup leaves no set that looks whole.
 */
export async function takeBackup(env: Environment, out: string, options: { dataDir?: string } = {}): Promise<TakenSet> {
  const target = path.resolve(out);
  const { where, keys, verifierKey } = await preflight(env, target, options.dataDir);
  await mkdir(path.dirname(target), { recursive: true });
  const staging = `${target}.partial-${randomBytes(4).toString('hex')}`;
  await mkdir(staging, { mode: 0o700 });
  try {
    // The set's time is when its first copy, Temporal's, began.
    const began = new Date();
    const taken = await copyParts(where, staging);
    const required = [...new Set([...keys.ids, ...taken.documentKeys])].sort();
    const strangers = taken.documentKeys.filter((id) => !keys.ids.includes(id));
    const manifest: Manifest = {
      format: BACKUP_FORMAT,
      createdAt: began.toISOString(),
      versions: { service: cliVersion(), node: process.version, sqlite: sqliteVersion(), schemas: taken.schemas },
      source: where.source,
      order: taken.order,
      payloadKeys: { required, current: keys.current, fingerprints: keys.fingerprints },
      logSigning: verifierKey ? { verifierKey } : null,
      files: taken.files,
      notes: [
        ...notesFor(where, required, verifierKey !== null),
        ...(taken.apartMs !== null
          ? [
              `Temporal's database and the ledger were copied ${(taken.apartMs / 1000).toFixed(1)} s apart: a command accepted in between is in the ledger's copy only, and set aside when its project takes another in its place after a restore.`,
            ]
          : []),
        ...(taken.unfinished.length
          ? [`Left out, being written when the set was taken: ${taken.unfinished.join(', ')} (the ledger holds its checkpoint; the writer publishes it again).`]
          : []),
        ...(strangers.length
          ? [
              `Documents are sealed under key(s) ${strangers.join(', ')}, which ${where.payloadKeys.file} does not hold: find that key file before you need this set.`,
            ]
          : []),
      ],
    };
    await writeFile(path.join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o400 });
    await flushTree(staging);
    // Over an empty target directory, or none: rename(2) replaces an empty one.
    await rename(staging, target);
    await flush(path.dirname(target));
    return { dir: target, manifest, bytes: taken.files.reduce((sum, f) => sum + f.size, 0) };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * A witness file as the writer finished it. The writer writes each in one go, not beside and renamed:
 * read in its midst, one is empty or cut short (a checkpoint and a report end with a newline). Such a
 * one is left out: the ledger's copy keeps that checkpoint, and the writer publishes it again at its
 * next tick.
 */
async function wholeWitnessFile(file: string): Promise<Buffer | null> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const bytes = await readFile(file);
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0a) return bytes;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}

/**
 * The parts, in an order that keeps the set consistent when it is restored:
 *
 * 1. Temporal's database first. Everything taken after it is as new or newer, so nothing Temporal's
 *    histories refer to is missing: a ledger ahead of Temporal is fine (the activities Temporal
 *    re-runs after the restore find their entries there, "alreadyThere", and their notices
 *    "alreadySent"), where the reverse, a history whose ledger entries the copy lacks, would leave
 *    a gap that nothing appends again and `audit verify` reports.
 * 2. The witness directory's checkpoints before the ledger: the writer publishes a checkpoint only
 *    after the ledger holds its tree (activities/ledger/checkpoint-writer.ts), so every checkpoint
 *    copied is one the ledger copied after it extends. Copied after the ledger, a checkpoint signed
 *    in between would name a bigger tree than the restored ledger's, which the writer refuses as a
 *    rewrite (ledgerRewritten) and an auditor's `verify --since` with it fails.
 * 3. The ledger (its archive and the office's alerts with it), then the notice log.
 * 4. The documents last: a document is flushed to disk before any history, ledger payload or
 *    notice may refer to it, so copying them after every database covers every reference.
 */
async function copyParts(where: Locations, staging: string) {
  const files: BackupFile[] = [];
  const order: Part[] = [];
  const schemas: Record<string, number> = {};
  const documentKeys = new Set<string>();
  const add = async (part: Part, relative: string): Promise<void> => {
    if (files.length >= MAX_FILES) throw new AllianceError('VALIDATION', `More than ${MAX_FILES} files: more than one set holds.`);
    // Read-only and the owner's: the notice log holds addresses, the ledger who did what.
    await chmod(path.join(staging, relative), 0o400);
    const { sha256, size } = await hashFile(path.join(staging, relative));
    files.push({ part, path: relative, size, sha256 });
    if (!order.includes(part)) order.push(part);
  };
  const startedAt: Partial<Record<Part, number>> = {};
  const database = async (part: Part, source: string | null): Promise<void> => {
    if (!source || !(await isFile(source))) return;
    startedAt[part] = Date.now();
    Object.assign(schemas, snapshotSqlite(source, path.join(staging, `${part}.sqlite`), part));
    await add(part, `${part}.sqlite`);
  };
  await database('temporal', where.temporal);
  const unfinished: string[] = [];
  if (where.witness && (await isDirectory(where.witness))) {
    for (const entry of await readdir(where.witness, { withFileTypes: true })) {
      if (!entry.isFile() || !WITNESS_FILE.test(entry.name)) continue;
      const bytes = await wholeWitnessFile(path.join(where.witness, entry.name));
      if (!bytes) {
        unfinished.push(entry.name);
        continue;
      }
      await mkdir(path.join(staging, 'witness'), { recursive: true, mode: 0o700 });
      await writeFile(path.join(staging, 'witness', entry.name), bytes);
      await add('witness', `witness/${entry.name}`);
    }
  }
  await database('ledger', where.ledger);
  await database('notices', where.notices);
  // A project's key before its documents: the key is made before the project's first document and
  // never changes, so every document copied has its key in the set. A project erased meanwhile
  // leaves files that are gone by the time they are copied: skipped.
  const shelf = async (relative: string, names: RegExp): Promise<void> => {
    const source = path.join(where.documents!, relative);
    const entries = (await readdir(source, { withFileTypes: true })).filter((e) => e.isFile() && names.test(e.name));
    await mkdir(path.join(staging, 'documents', relative), { recursive: true, mode: 0o700 });
    for (const entry of entries.sort((a, b) => Number(b.name === 'key') - Number(a.name === 'key'))) {
      const inSet = `documents/${relative}/${entry.name}`;
      const copied = await copyFile(path.join(source, entry.name), path.join(staging, inSet)).then(
        () => true,
        (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' && relative.startsWith('projects/') ? false : Promise.reject(error)),
      );
      if (!copied) continue;
      const keyId = await sealedUnder(path.join(staging, inSet));
      if (keyId && PayloadKeyId.safeParse(keyId).success) documentKeys.add(keyId);
      await add('documents', inSet);
    }
  };
  if (where.documents && (await isDirectory(where.documents))) {
    // Whole documents only: one being written is a `.tmp` file until it is renamed into place.
    for (const entry of await readdir(where.documents, { withFileTypes: true }))
      if (entry.isDirectory() && /^[0-9a-f]{2}$/.test(entry.name)) await shelf(entry.name, /^sha256-[0-9a-f]{64}$/);
    const projects = path.join(where.documents, 'projects');
    if (await isDirectory(projects))
      for (const entry of await readdir(projects, { withFileTypes: true }))
        if (entry.isDirectory() && /^[0-9a-f]{32}$/.test(entry.name)) await shelf(`projects/${entry.name}`, /^(key|sha256-[0-9a-f]{64})$/);
  }
  // The window in which an accepted command reaches the ledger's copy and not Temporal's (see above).
  const apartMs = startedAt.temporal !== undefined && startedAt.ledger !== undefined ? startedAt.ledger - startedAt.temporal : null;
  return { files, order, schemas, documentKeys: [...documentKeys], apartMs, unfinished };
}
