// A backup set's manifest (manifest.json beside the files): what each file is, its SHA-256 and size,
// when and from what it was taken, and which keys — kept apart, never in the set — open its data.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AllianceError } from '../../domain/errors';
import { PayloadKeyId } from '../../domain/payload-keys';

export const BACKUP_FORMAT = 'alliance-backup/1';
export const MANIFEST_FILE = 'manifest.json';
/** Bounds a manifest is read within: a set of ten years' documents stays far below them. */
export const MAX_FILES = 500_000;
export const MAX_MANIFEST_BYTES = 128 * 1024 * 1024;

/**
 * The parts of a set, in the order they are taken (take.ts says why): Temporal's database first,
 * the witness's checkpoints, the ledger, the notice log, the documents last.
 */
export const PARTS = ['temporal', 'witness', 'ledger', 'notices', 'documents'] as const;
export type Part = (typeof PARTS)[number];

/** Where each part's files lie inside the set: fixed names, so a crafted manifest names nothing outside it. */
const PART_PATHS: Record<Part, RegExp> = {
  temporal: /^temporal\.sqlite$/,
  witness: /^witness\/[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/,
  ledger: /^ledger\.sqlite$/,
  notices: /^notices\.sqlite$/,
  documents: /^documents\/([0-9a-f]{2}\/sha256-[0-9a-f]{64}|projects\/[0-9a-f]{32}\/(key|sha256-[0-9a-f]{64}))$/,
};

export const pathFitsPart = (part: Part, file: string): boolean => PART_PATHS[part].test(file);

const BackupFile = z
  .object({
    part: z.enum(PARTS),
    path: z.string().max(300),
    size: z
      .number()
      .int()
      .min(0)
      .max(2 ** 50),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 hex digits'),
  })
  .strict()
  .refine((f) => pathFitsPart(f.part, f.path), { message: 'names a path outside its part' });
export type BackupFile = z.infer<typeof BackupFile>;

const Text = z.string().max(4096);

export const Manifest = z
  .object({
    format: z.literal(BACKUP_FORMAT),
    createdAt: z.iso.datetime(),
    versions: z
      .object({
        service: z.string().max(100),
        node: z.string().max(100),
        sqlite: z.string().max(100),
        /** Each store's schema as the snapshot holds it: our stores' newest migration, Temporal's schema version. */
        schemas: z.record(z.string().max(200), z.union([z.string().max(100), z.number()])),
      })
      .strict(),
    source: z
      .object({
        dataDir: Text,
        /** The embedded dev server's database is in the set; a cluster's is backed up with the cluster's tools. */
        temporal: z.enum(['embedded', 'cluster']),
        /** The ledger and notice log: SQLite files in the set, or PostgreSQL's (pg_dump, base backups). */
        database: z.enum(['sqlite', 'postgres']),
        documents: z.enum(['files', 'postgres']),
      })
      .strict(),
    order: z.array(z.enum(PARTS)).max(PARTS.length),
    /** Not the keys: which ones a restore must be given (the payload key file holds every key ever made). */
    payloadKeys: z
      .object({
        required: z.array(PayloadKeyId).min(1).max(1000),
        current: PayloadKeyId,
        /** Of each key the service held, a fingerprint (keyFingerprint): a key file with another key under the same id is refused too. */
        fingerprints: z.record(PayloadKeyId, z.string().regex(/^[0-9a-f]{16}$/)),
      })
      .strict(),
    /** The log's public verifier key: a restore checks the signing key it is given against it. */
    logSigning: z
      .object({ verifierKey: z.string().max(512) })
      .strict()
      .nullable(),
    files: z.array(BackupFile).max(MAX_FILES),
    notes: z.array(z.string().max(1000)).max(20),
  })
  .strict()
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    for (const file of m.files) {
      if (seen.has(file.path)) ctx.addIssue({ code: 'custom', path: ['files'], message: `names ${file.path} twice` });
      seen.add(file.path);
    }
  });
export type Manifest = z.infer<typeof Manifest>;

/**
 * A payload key's fingerprint: 64 bits of a SHA-256 over the key, under a label of its own. It
 * tells two keys apart (ids are dates, and two key files made the same day share one) and gives
 * nothing of the 256-bit key away.
 */
export const keyFingerprint = (base64Key: string): string =>
  createHash('sha256').update('alliance payload key fingerprint\n').update(Buffer.from(base64Key, 'base64')).digest('hex').slice(0, 16);

/** The SHA-256 (hex) and size of a file, read as a stream. */
export async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** The set's manifest, read within its bounds and checked; a clear error when the directory is no set. */
export async function readManifest(dir: string): Promise<Manifest> {
  const file = path.join(dir, MANIFEST_FILE);
  const info = await lstat(file).catch(() => null);
  if (!info?.isFile()) throw new AllianceError('VALIDATION', `${dir} is not a backup set: it has no ${MANIFEST_FILE}.`);
  if (info.size > MAX_MANIFEST_BYTES)
    throw new AllianceError('VALIDATION', `${file} is ${info.size} bytes, more than a manifest's ${MAX_MANIFEST_BYTES}: not a manifest of this service.`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new AllianceError('VALIDATION', `${file} is not JSON: ${(error as Error).message}.`);
  }
  if ((json as { format?: unknown } | null)?.format !== BACKUP_FORMAT)
    throw new AllianceError('VALIDATION', `${file} is not a manifest this version reads: expected format ${BACKUP_FORMAT}.`);
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'manifest'}: ${i.message}`);
    throw new AllianceError('VALIDATION', `${file} is not a valid manifest: ${problems.join('; ')}.`);
  }
  return parsed.data;
}

/** Every regular file under `dir`, as set-relative paths with `/`; anything else (links, devices) is named as a problem. */
async function listFiles(dir: string, prefix = ''): Promise<{ files: string[]; odd: string[] }> {
  const files: string[] = [];
  const odd: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      const inner = await listFiles(dir, relative);
      files.push(...inner.files);
      odd.push(...inner.odd);
    } else if (entry.isFile()) files.push(relative);
    else odd.push(relative);
    if (files.length > MAX_FILES + 1) break;
  }
  return { files, odd };
}

const firstFew = (items: string[]): string => `${items.slice(0, 3).join(', ')}${items.length > 3 ? ` and ${items.length - 3} more` : ''}`;

/**
 * Checks a set against its manifest before anything is done with it: every file named is there, of
 * its size and SHA-256, and nothing else is. Throws INTEGRITY naming what does not hold.
 */
export async function checkSet(dir: string, manifest: Manifest, after = ''): Promise<{ files: number; bytes: number }> {
  const { files: listed, odd } = await listFiles(dir);
  const present = new Set(listed);
  const named = new Set(manifest.files.map((f) => f.path));
  const extra = [...listed.filter((f) => f !== MANIFEST_FILE && !named.has(f)), ...odd];
  if (extra.length)
    throw new AllianceError('INTEGRITY', `${dir} holds what its manifest does not name: ${firstFew(extra)}. A set is exactly its manifest's files${after}.`);
  const missing = manifest.files.filter((f) => !present.has(f.path)).map((f) => f.path);
  if (missing.length) throw new AllianceError('INTEGRITY', `${dir} lacks files its manifest names: ${firstFew(missing)}${after}.`);
  let bytes = 0;
  for (const file of manifest.files) {
    const found = await hashFile(path.join(dir, file.path));
    if (found.size !== file.size || found.sha256 !== file.sha256) {
      throw new AllianceError(
        'INTEGRITY',
        `${path.join(dir, file.path)} is not the file the manifest names (${found.size === file.size ? 'its SHA-256 differs' : `${found.size} bytes, not ${file.size}`}): the set was altered or damaged${after}.`,
      );
    }
    bytes += file.size;
  }
  return { files: manifest.files.length, bytes };
}
