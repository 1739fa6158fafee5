// `alliance document`: a project's documents — the proposal, the institution's letter, the signed
// contract, the reports — attached from a file, listed, and read back by their SHA-256.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { DocumentKind } from '../../../domain/documents';
import { AllianceError } from '../../../domain/errors';
import { formatRocDate } from '../../../domain/roc-date';
import { table } from '../output';
import { projectId } from '../session';
import type { Runner } from './shared';

const readBytes = (file: string): Buffer => {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new AllianceError('VALIDATION', `Cannot read the document ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
};

export function addDocumentCommands(program: Command, run: Runner): void {
  const document = program.command('document').description("a project's documents: the proposal, the institution's letter, the signed contract, the reports");
  document
    .command('attach <project> <kind> <file>')
    .description(`attach a file (PDF, DOCX, XLSX or ODT) as ${DocumentKind.options.join(', ')} (pi: proposal and reports; institution: letter and contract)`)
    .option('--name <file name>', 'the name it is kept under (default: the file name)')
    .action(
      run(async ({ session: s, print, args, opts }) => {
        const kind = DocumentKind.safeParse(args[1]);
        if (!kind.success) throw new AllianceError('VALIDATION', `"${args[1]}" is not a kind of document: use one of ${DocumentKind.options.join(', ')}.`);
        const result = await s.api.projects.attach(projectId(args[0]!), kind.data, readBytes(args[2]!), opts.name ?? path.basename(args[2]!));
        print(`${kind.data} attached to ${args[0]}: the project is ${result.lifecycle}.`, result);
      }),
    );
  document
    .command('list <project>')
    .description("the project's documents you may read, with their SHA-256")
    .action(
      run(async ({ session: s, print, args }) => {
        const documents = (await s.api.projects.view(projectId(args[0]!))).context.documents ?? [];
        print(
          documents.length
            ? table(
                ['kind', 'name', 'bytes', 'attached', 'by', 'digest'],
                documents.map((d) => [d.kind, d.name, String(d.bytes), formatRocDate(d.at, { withTime: true }), `${d.by.role} ${d.by.id}`, d.digest]),
              )
            : 'No documents you may read.',
          documents,
        );
      }),
    );
  document
    .command('get <project> <digest>')
    .description('read a document back (sha256:…, from `alliance document list`) into a file')
    .requiredOption('--out <file>', 'where to write it')
    .action(
      run(async ({ session: s, print, args, opts }) => {
        const bytes = await s.api.projects.document(projectId(args[0]!), args[1]!);
        writeFileSync(opts.out!, bytes);
        print(`${bytes.length} bytes written to ${opts.out}.`, { file: opts.out, bytes: bytes.length });
      }),
    );
}
