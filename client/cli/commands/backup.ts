// `alliance backup`: operators, on the service's host, with the environment `make start` reads (no API,
// no log-in): a consistent set of the embedded default's data, its check, and its restore.
import { type Command } from 'commander';
import { parseEnvironment } from '../../../domain/environment';
import type { Manifest, Part } from '../../backup/manifest';
import { restoreSet, verifySet } from '../../backup/restore';
import { takeBackup } from '../../backup/take';
import { type Runner } from './shared';

const sizeOf = (bytes: number): string =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 ** 2
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : bytes < 1024 ** 3
        ? `${(bytes / 1024 ** 2).toFixed(1)} MiB`
        : `${(bytes / 1024 ** 3).toFixed(2)} GiB`;

/** One line per part, in the order they were taken. */
function partLines(manifest: Manifest): string[] {
  return manifest.order.map((part: Part) => {
    const files = manifest.files.filter((f) => f.part === part);
    const bytes = files.reduce((sum, f) => sum + f.size, 0);
    return `  ${part.padEnd(10)} ${files.length === 1 ? files[0]!.path : `${files.length} files`}, ${sizeOf(bytes)}`;
  });
}

const keysLine = (manifest: Manifest): string =>
  `It needs payload key(s) ${manifest.payloadKeys.required.join(', ')}${manifest.logSigning ? ` and the log signing key of ${manifest.logSigning.verifierKey}` : ''}, kept apart from it.`;

const summaryOf = (manifest: Manifest) => ({
  format: manifest.format,
  createdAt: manifest.createdAt,
  source: manifest.source,
  order: manifest.order,
  files: manifest.files.length,
  payloadKeys: manifest.payloadKeys,
  logSigning: manifest.logSigning,
  notes: manifest.notes,
});

export function addBackupCommands(program: Command, run: Runner): void {
  const backup = program
    .command('backup')
    .description("operators, on the service's host: its data as one consistent set taken while it runs, checked and restored (docs/operations.md)");
  backup
    .command('create <dir>')
    .description(
      "write Temporal's database, the published checkpoints, the ledger, the notice log and the documents into a new directory, with a manifest of every file's SHA-256; the keys stay out",
    )
    .option('--data-dir <dir>', 'the data directory (default ALLIANCE_DATA_DIR, else ./data); the rest is found as `make start` finds it')
    .action(
      run(async ({ print, args, opts }) => {
        const taken = await takeBackup(parseEnvironment(process.env), args[0]!, opts.dataDir ? { dataDir: String(opts.dataDir) } : {});
        const { manifest } = taken;
        print(
          [
            `backup set written to ${taken.dir} (${manifest.files.length} files, ${sizeOf(taken.bytes)}, taken ${manifest.createdAt}):`,
            ...partLines(manifest),
            ...manifest.notes,
          ].join('\n'),
          { dir: taken.dir, bytes: taken.bytes, ...summaryOf(manifest) },
        );
      }),
    );
  backup
    .command('verify <dir>')
    .description("check a set: its manifest, every file's size and SHA-256, nothing else in it; with the key files, that they hold what it needs")
    .option('--payload-keys <file>', 'also check that this payload key file holds every key the set needs')
    .option('--signing-key <file>', 'also check that this is the log signing key the set names')
    .action(
      run(async ({ print, args, opts }) => {
        const checked = await verifySet(args[0]!, {
          ...(opts.payloadKeys ? { payloadKeys: String(opts.payloadKeys) } : {}),
          ...(opts.signingKey ? { signingKey: String(opts.signingKey) } : {}),
        });
        const keys = [opts.payloadKeys && 'the payload keys', opts.signingKey && 'the signing key'].filter(Boolean).join(' and ');
        print(
          [
            `backup set ${args[0]!}: ${checked.files} files, ${sizeOf(checked.bytes)}, taken ${checked.manifest.createdAt}; every size and SHA-256 matches its manifest${keys ? `, and ${keys} given fit it` : ''}.`,
            ...partLines(checked.manifest),
            keysLine(checked.manifest),
          ].join('\n'),
          { bytes: checked.bytes, ...summaryOf(checked.manifest) },
        );
      }),
    );
  backup
    .command('restore <dir>')
    .description(
      'check a set whole, then restore it into a fresh data directory (refused if it holds anything), the keys kept apart put back where the service reads them',
    )
    .option('--data-dir <dir>', 'the fresh data directory (default ALLIANCE_DATA_DIR, else ./data)')
    .option('--payload-keys <file>', 'the payload key file kept apart from the set (default ALLIANCE_PAYLOAD_KEYS_FILE)')
    .option('--signing-key <file>', "the ledger's checkpoint signing key kept apart from the set (default ALLIANCE_LOG_SIGNING_KEY_FILE)")
    .action(
      run(async ({ print, args, opts }) => {
        const restored = await restoreSet(args[0]!, parseEnvironment(process.env), {
          ...(opts.dataDir ? { dataDir: String(opts.dataDir) } : {}),
          ...(opts.payloadKeys ? { payloadKeys: String(opts.payloadKeys) } : {}),
          ...(opts.signingKey ? { signingKey: String(opts.signingKey) } : {}),
        });
        print(
          [
            `restored ${args[0]!} (${restored.files} files, ${sizeOf(restored.bytes)}, taken ${restored.manifest.createdAt}); every SHA-256 checked:`,
            ...restored.placed.map((line) => `  ${line}`),
            `Next: start the service on ${restored.dataDir} (ALLIANCE_DATA_DIR=${restored.dataDir} make start); every running project resumes from the set.`,
            'Then check the ledger against the last checkpoint you kept: alliance audit verify --since <checkpoint> --key <verifier key>.',
          ].join('\n'),
          { dataDir: restored.dataDir, files: restored.files, bytes: restored.bytes, placed: restored.placed },
        );
      }),
    );
}
