// `alliance` commands: the audit trail, read-only: history, search, verification, proofs, checkpoints, quarantine, export.
import { type Command, Option } from 'commander';
import { formatRocDate } from '../../../domain/roc-date';
import { AllianceError } from '../../../domain/errors';
import { table } from '../output';
import { projectId } from '../session';
import { checkedBundle, checkedGrowth, trustedCheckpoint, verifierFrom } from '../audit-checks';
import { generateLogKey } from '../../../tlog/checkpoint';
import { writeFileSync } from 'node:fs';
import { division, instant, type Runner } from './shared';

/** The trail and the search. */
function auditTrailCommands(audit: Command, run: Runner): void {
  audit
    .command('history <project>')
    .description('the domain trail from the ledger; --raw for the Temporal events (live or archived)')
    .option('--raw', 'the raw Temporal event history of every run')
    .action(
      run(async ({ session: s, print, args, opts }) => {
        const id = args[0]!.startsWith('call:') ? args[0]! : projectId(args[0]!);
        if (opts.raw) {
          const raw = await s.api.audit.rawHistory(id);
          print(
            [
              `${id}: ${raw.runs.length} runs, from ${raw.source === 'archive' ? 'the archive (Temporal no longer holds them)' : 'Temporal'}`,
              ...raw.runs.map((r) => `  run ${r.runId}  ${(r.history as { events?: unknown[] }).events?.length ?? 0} events  sha256 ${r.sha256}`),
            ].join('\n'),
            raw,
          );
          return;
        }
        const entries = await s.api.audit.history(id);
        print(
          table(
            ['#', 'at (Taipei)', 'who', 'event', 'from → to'],
            entries.map((e) => [
              e.entrySeq,
              formatRocDate(e.at, { withTime: true }),
              `${e.actor.role}:${e.actor.id}`,
              e.event,
              `${e.from.join(', ')} → ${e.to.join(', ')}`,
            ]),
          ),
          entries,
        );
      }),
    );
  audit
    .command('search')
    .description('projects by call, division, region, institution, state, overdue, date range')
    .option('--call <id>')
    .option('--division <code>')
    .option('--region <region>')
    .option('--institution <id>')
    .option('--state <state>')
    .option('--overdue', 'only overdue projects')
    .option('--from <instant>', 'with a transition at or after')
    .option('--to <instant>', 'with a transition before')
    .action(
      run(async ({ session: s, print, opts }) => {
        const found = await s.api.audit.search({
          ...(opts.call ? { call: opts.call } : {}),
          ...(opts.division ? { division: division(opts.division)! } : {}),
          ...(opts.region ? { region: opts.region } : {}),
          ...(opts.institution ? { institution: opts.institution } : {}),
          ...(opts.state ? { state: opts.state } : {}),
          ...(opts.overdue ? { overdue: 'true' } : {}),
          ...(opts.from ? { from: instant(opts.from) } : {}),
          ...(opts.to ? { to: instant(opts.to) } : {}),
        });
        print(
          table(
            ['project', 'division', 'region', 'institution', 'state', 'year', 'overdue'],
            found.map((p) => [p.workflowId, p.division, p.region, p.institution, p.state, p.projectYear, p.overdue ? 'yes' : '']),
          ),
          found,
        );
      }),
    );
}

/** Verification, proofs and checkpoints, checked with the auditor's own key. */
function auditProofCommands(audit: Command, run: Runner): void {
  audit
    .command('verify [project]')
    .description('recompute the hash chains, payloads, archive and Merkle tree, compare the ledger with Temporal both ways; names the first broken entry')
    .option('--all', 'the whole ledger (the default without a project)')
    .option('--since <file>', 'a checkpoint you kept: the ledger must still hold the tree it signed, and only have grown since')
    .option('--key <file>', 'the verifier key you check checkpoints with (needed with --since)')
    .option('--save <file>', "with --since: keep the service's new checkpoint here once it is checked, as your next trusted one")
    .action(
      run(async ({ session: s, print, args, opts }) => {
        const target = args[0] ? projectId(args[0]) : undefined;
        const since = opts.since ? trustedCheckpoint(String(opts.since), opts.key ? String(opts.key) : undefined, target) : undefined;
        const report = await s.api.audit.verify(target, since && { checkpoint: since.note, key: since.key });
        if (report.broken) {
          const b = report.broken;
          const where = b.seq
            ? `ledger entry ${b.seq} (${b.workflowId} transition ${b.entrySeq}) is broken`
            : b.workflowId
              ? `${b.workflowId} does not verify`
              : 'the ledger does not verify';
          throw new AllianceError('INTEGRITY', `${where}: ${b.reason}.`);
        }
        let grown = '';
        if (since) {
          // Checked here, with the auditor's key and code, not taken on the service's word.
          const current = checkedGrowth(since, report);
          if (opts.save) writeFileSync(String(opts.save), report.checkpoint!, { flag: 'w' });
          grown = `; the tree of ${since.trusted.size} leaves you trusted is the start of the published ${current.size} (consistency proof checked)${opts.save ? `, new checkpoint kept in ${String(opts.save)}` : ''}`;
        }
        if (report.unpublished) grown += `; ${report.unpublished} leaves appended since the last published checkpoint are not provable until the next`;
        if (report.withoutLogIn) {
          const [one] = report.withoutLogIn.first;
          grown += `; ${report.withoutLogIn.count} entries of people carry no log-in (via), written before every person's command had to name one, the first ledger entry ${one!.seq} (${one!.workflowId} transition ${one!.entrySeq}, ${one!.actor}, ${one!.event})`;
        }
        const erased = report.ledger?.erased;
        if (erased)
          grown += `; ${erased.tombstones} erasures under the retention policy, each with its tombstone, account for ${erased.payloads} payloads and ${erased.archivedRuns} archived histories`;
        print(`verified ${report.checked} ledger entries (${report.comparedWithTemporal} compared with Temporal): every hash and link holds${grown}`, report);
      }),
    );
  audit
    .command('prove [project]')
    .description(
      "inclusion proofs of a project's entries and archived runs (or of --entries) in the last published checkpoint's tree; checked here with your key, and written for tools/ledger-verifier",
    )
    .option('--entries <seqs>', 'ledger entries by seq, comma-separated (instead of a project)')
    .option('--key <file>', 'the verifier key you check checkpoints with')
    .option('--since <file>', "a checkpoint you kept: also prove that today's tree extends it")
    .option('--out <file>', 'write the proof bundle (JSON) here, for tools/ledger-verifier')
    .action(
      run(async ({ session: s, print, args, opts }) => {
        const { verifier } = verifierFrom(opts.key ? String(opts.key) : undefined, 'audit prove');
        const since = opts.since ? trustedCheckpoint(String(opts.since), String(opts.key), undefined) : undefined;
        const entries = opts.entries
          ? String(opts.entries)
              .split(',')
              .map((seq) => Number(seq.trim()))
          : undefined;
        if (entries?.some((seq) => !Number.isSafeInteger(seq) || seq < 1))
          throw new AllianceError('VALIDATION', '--entries: expected ledger seqs, e.g. --entries 12,13,40.');
        if (Boolean(entries) === Boolean(args[0])) throw new AllianceError('VALIDATION', 'give a project (CALL:APP) or --entries, one of the two.');
        const target = args[0] ? (args[0].startsWith('call:') ? args[0] : projectId(args[0])) : undefined;
        const bundle = await s.api.audit.proofs({
          ...(entries ? { entries } : {}),
          ...(target ? { workflowId: target } : {}),
          ...(since ? { since: { checkpoint: since.note, key: since.key } } : {}),
        });
        const current = checkedBundle(bundle, verifier, since);
        if (opts.out) writeFileSync(String(opts.out), JSON.stringify(bundle, null, 2));
        print(
          `${bundle.entries.length} leaves proven in the published tree of ${current.size} (checked with your key)${since ? `, which extends your checkpoint of ${since.trusted.size}` : ''}${opts.out ? `; bundle written to ${String(opts.out)}` : ''}`,
          bundle,
        );
      }),
    );
  audit
    .command('keygen <name>')
    .description("a new key pair for signing the ledger's checkpoints (offline: for the operators' key file and the auditors)")
    .requiredOption('--out <file>', 'where to write the signing key (owner-only); ALLIANCE_LOG_SIGNING_KEY_FILE points here')
    .action(
      run(({ print, args, opts }) => {
        let key: { signerKey: string; verifierKey: string };
        try {
          key = generateLogKey(args[0]!);
        } catch (error) {
          throw new AllianceError('VALIDATION', (error as Error).message);
        }
        try {
          writeFileSync(String(opts.out), `${key.signerKey}\n`, { mode: 0o600, flag: 'wx' });
        } catch (error) {
          throw new AllianceError(
            'VALIDATION',
            `--out ${String(opts.out)}: ${(error as NodeJS.ErrnoException).code === 'EEXIST' ? 'exists already; a signing key is never overwritten' : (error as Error).message}.`,
          );
        }
        print(`signing key written to ${String(opts.out)} (keep it off the database's machines)\nverifier key, for the auditors: ${key.verifierKey}`, {
          verifierKey: key.verifierKey,
        });
        return Promise.resolve();
      }),
    );
  audit
    .command('checkpoint')
    .description('the last checkpoint the checkpoint writer published, and the key to check it (the API signs nothing)')
    .option('--out <file>', 'write the signed checkpoint to this file (keep it: it is what you check the ledger against later)')
    .action(
      run(async ({ session: s, print, opts }) => {
        const current = await s.api.audit.checkpoint();
        if (opts.out) writeFileSync(String(opts.out), current.checkpoint);
        const since = current.unpublished ? `\n${current.unpublished} leaves appended since: not in a published checkpoint yet` : '';
        print(`${current.checkpoint}\nverifier key: ${current.verifierKey}${since}${opts.out ? `\nwritten to ${String(opts.out)}` : ''}`, current);
      }),
    );
}

/** The quarantine and the export. */
function auditKeptCommands(audit: Command, run: Runner): void {
  audit
    .command('quarantine [project]')
    .description('transitions the ledger set aside because their key held other content (after a Temporal reset), with why')
    .action(
      run(async ({ session: s, print, args }) => {
        const found = await s.api.audit.quarantine(args[0] ? (args[0].startsWith('call:') ? args[0] : projectId(args[0])) : undefined);
        print(
          found.length
            ? table(
                ['workflow', '#', 'event', 'at (Taipei)', 'set aside (Taipei)', 'why'],
                found.map((q) => [
                  q.workflowId,
                  q.entrySeq,
                  q.entry.event,
                  formatRocDate(q.entry.at, { withTime: true }),
                  formatRocDate(q.at, { withTime: true }),
                  q.detail,
                ]),
              )
            : 'the quarantine is empty',
          found,
        );
      }),
    );
  audit
    .command('export')
    .description('ledger entries of a call or a project')
    .addOption(new Option('--format <format>', 'csv or json').choices(['csv', 'json']).default('csv'))
    .option('--call <id>')
    .option('--project <project>')
    .action(
      run(async ({ session: s, opts }) => {
        if (!opts.call === !opts.project) throw new AllianceError('VALIDATION', 'Export either --call ID or --project CALL:APPLICATION.');
        const text = await s.api.audit.export(opts.format as 'csv' | 'json', opts.project ? { workflowId: projectId(opts.project) } : { callId: opts.call! });
        // A CSV keeps its byte-order mark (fetch's decoding drops the one the API sent): a file it is written to opens right in a zh-TW spreadsheet.
        console.log(opts.format === 'csv' && !text.startsWith('\uFEFF') ? `\uFEFF${text}` : text);
      }),
    );
}

export function addAuditCommands(program: Command, run: Runner): void {
  const audit = program.command('audit').description('read-only: the audit trail, for auditors and the office');
  auditTrailCommands(audit, run);
  auditProofCommands(audit, run);
  auditKeptCommands(audit, run);
}
