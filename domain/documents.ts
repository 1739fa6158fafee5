import { z } from 'zod';

/** The documents a project keeps: 計畫書, the institution's 公文, the signed contract, the reports. */
export const DocumentKind = z.enum(['proposal', 'institutionLetter', 'contract', 'progressReport', 'closingReport']);
export type DocumentKind = z.infer<typeof DocumentKind>;

/** The formats the programme takes, told apart by their bytes, never by a file name or a header. */
export const DocumentFormat = z.enum(['pdf', 'docx', 'xlsx', 'odt']);
export type DocumentFormat = z.infer<typeof DocumentFormat>;

export const mediaTypes: Record<DocumentFormat, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  odt: 'application/vnd.oasis.opendocument.text',
};

const MiB = 1024 * 1024;

/** What one kind of document may be: its formats and its largest size in bytes. */
export const DocumentRule = z
  .object({
    formats: z.array(DocumentFormat).min(1, 'expected at least one format').max(4),
    maxBytes: z
      .number()
      .int()
      .min(1024, 'expected at least 1 KiB')
      .max(100 * MiB, 'expected at most 100 MiB'),
  })
  .strict();
export type DocumentRule = z.infer<typeof DocumentRule>;

/** The call's document rules (`policy.documents`): a kind it leaves out keeps the programme's default. */
export const DocumentPolicy = z.object(Object.fromEntries(DocumentKind.options.map((kind) => [kind, DocumentRule.optional()]))).strict();
export type DocumentPolicy = Partial<Record<DocumentKind, DocumentRule>>;

/** The programme's practice, for calls that say nothing: the proposal and reports in any of the four formats, letters and contracts as PDF. */
export const defaultDocumentRules: Record<DocumentKind, DocumentRule> = {
  proposal: { formats: ['pdf', 'docx', 'odt'], maxBytes: 20 * MiB },
  institutionLetter: { formats: ['pdf'], maxBytes: 5 * MiB },
  contract: { formats: ['pdf'], maxBytes: 10 * MiB },
  progressReport: { formats: ['pdf', 'docx', 'odt', 'xlsx'], maxBytes: 20 * MiB },
  closingReport: { formats: ['pdf', 'docx', 'odt', 'xlsx'], maxBytes: 20 * MiB },
};

export const documentRule = (policy: { documents?: DocumentPolicy | undefined }, kind: DocumentKind): DocumentRule =>
  policy.documents?.[kind] ?? defaultDocumentRules[kind];

/** The largest document any kind may be under any call: the door's bound before it knows the project. */
export const MAX_DOCUMENT_BYTES = 100 * MiB;

/** A file's name as a person gave it: shown and offered back on download, never used as a path. */
export const DocumentName = z
  .string()
  .trim()
  .min(1, 'expected the file name')
  .max(200, 'expected a file name of at most 200 characters')
  .refine((name) => !/[\\/\p{Cc}]/u.test(name), 'expected a file name without slashes or control characters');

/** What `document.attach` records: the document's SHA-256 and what it is; the bytes are in the document store. */
export const DocumentAttachment = z
  .object({
    kind: DocumentKind,
    digest: z
      .string()
      .max(71)
      .regex(/^sha256:[0-9a-f]{64}$/, 'expected the SHA-256 of the bytes as sha256:<64 hex digits>'),
    bytes: z.number().int().positive('expected the size in bytes').max(MAX_DOCUMENT_BYTES),
    format: DocumentFormat,
    name: DocumentName,
  })
  .strict();
export type DocumentAttachment = z.infer<typeof DocumentAttachment>;

const ascii = (bytes: Uint8Array, from: number, length: number): string => String.fromCharCode(...bytes.subarray(from, from + length));
const u16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

/** The names in a ZIP file's central directory (at most 5,000), or null when it has none that reads. */
function zipEntryNames(b: Uint8Array): string[] | null {
  // The end-of-central-directory record: 22 bytes and a comment of at most 65,535, from the end.
  for (let end = b.length - 22; end >= Math.max(0, b.length - 22 - 65_535); end--) {
    if (u32(b, end) !== 0x06054b50) continue;
    const count = Math.min(u16(b, end + 10), 5000);
    let at = u32(b, end + 16);
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      if (at + 46 > b.length || u32(b, at) !== 0x02014b50) return null;
      const nameLength = u16(b, at + 28);
      names.push(new TextDecoder().decode(b.subarray(at + 46, at + 46 + nameLength)));
      at += 46 + nameLength + u16(b, at + 30) + u16(b, at + 32);
    }
    return names;
  }
  return null;
}

/**
 * The format of a document from its bytes: a PDF's header, an ODF text's leading `mimetype`
 * entry, or an Office Open XML package's main part. Anything else (an executable renamed `.pdf`,
 * a ZIP of anything else, an old binary `.doc`) is none of them.
 */
export function formatOf(bytes: Uint8Array): DocumentFormat | null {
  if (ascii(bytes, 0, 5) === '%PDF-') return 'pdf';
  if (u32(bytes, 0) !== 0x04034b50) return null;
  if (ascii(bytes, 30, 8) === 'mimetype' && ascii(bytes, 38, 39) === 'application/vnd.oasis.opendocument.text') return 'odt';
  const names = zipEntryNames(bytes);
  if (!names?.includes('[Content_Types].xml')) return null;
  // A macro-enabled package (.docm, .xlsm) carries its macros in vbaProject.bin: not a document the programme takes.
  if (names.some((name) => name.endsWith('vbaProject.bin'))) return null;
  if (names.includes('word/document.xml')) return 'docx';
  if (names.includes('xl/workbook.xml')) return 'xlsx';
  return null;
}

/** Why these bytes are not a document of this kind under these rules, or null when they are. */
export function documentProblem(
  kind: DocumentKind,
  rule: DocumentRule,
  bytes: Uint8Array,
): { code: 'TOO_LARGE' | 'UNSUPPORTED_FORMAT'; message: string } | null {
  if (bytes.length > rule.maxBytes)
    return {
      code: 'TOO_LARGE',
      message: `a ${kind} may be at most ${(rule.maxBytes / MiB).toFixed(1)} MiB; this one is ${(bytes.length / MiB).toFixed(1)} MiB`,
    };
  const format = formatOf(bytes);
  if (!format || !rule.formats.includes(format))
    return {
      code: 'UNSUPPORTED_FORMAT',
      message: `a ${kind} is taken as ${rule.formats.map((f) => f.toUpperCase()).join(', ')}; these bytes are ${format ? format.toUpperCase() : 'none of PDF, DOCX, XLSX or ODT'}`,
    };
  return null;
}
