import type { z } from 'zod';
import { Division } from './application';
import { Reviewer, ReviewerPool, type ReviewerPool as Pool } from './reviewers';

/**
 * A reviewer pool as a spreadsheet: one reviewer a row under a header row, the columns named in
 * Chinese or English, lists (divisions, conflicts) separated by commas, 、 or semicolons.
 */
export const poolColumns = {
  id: ['編號', 'id'],
  name: ['姓名', 'name'],
  email: ['電子郵件', 'email'],
  institutionId: ['機構代碼', 'institutionId'],
  divisions: ['學門', 'divisions'],
  conflictApplications: ['利益衝突申請案', 'conflictApplications'],
  conflictInstitutions: ['利益衝突機構', 'conflictInstitutions'],
} as const;
type Column = keyof typeof poolColumns;
const required: Column[] = ['id', 'name', 'email', 'institutionId', 'divisions'];

const list = (cell: string | undefined): string[] =>
  (cell ?? '')
    .split(/[,;、，；]/)
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The pool, or every problem named by its row as the spreadsheet numbers it (the header is row 1):
 * nothing is taken while one row is wrong.
 */
export function poolFromRows(
  rows: readonly (readonly string[])[],
  /** zod's own messages in the reader's language (a page's), if not English. */
  error?: z.core.$ZodErrorMap,
): { ok: true; pool: Pool } | { ok: false; problems: string[] } {
  const [header, ...body] = rows;
  const index = new Map<Column, number>();
  (header ?? []).forEach((heading, i) => {
    const found = (Object.keys(poolColumns) as Column[]).find((c) =>
      (poolColumns[c] as readonly string[]).some((h) => h.toLowerCase() === heading.trim().toLowerCase()),
    );
    if (found) index.set(found, i);
  });
  const missing = required.filter((c) => !index.has(c));
  if (missing.length)
    return { ok: false, problems: [`row 1 (the header) lacks ${missing.map((c) => `${poolColumns[c][0]} (${poolColumns[c][1]})`).join(', ')}`] };
  const problems: string[] = [];
  const reviewers = body.flatMap((cells, i) => {
    const row = i + 2;
    const cell = (c: Column) => (index.has(c) ? (cells[index.get(c)!] ?? '').trim() : '');
    if (cells.every((c) => !c.trim())) return [];
    const parsed = Reviewer.safeParse(
      {
        id: cell('id'),
        name: cell('name'),
        email: cell('email'),
        institutionId: cell('institutionId'),
        divisions: list(cell('divisions')),
        conflicts: { applicationIds: list(cell('conflictApplications')), institutionIds: list(cell('conflictInstitutions')) },
      },
      error ? { error } : undefined,
    );
    if (parsed.success) return [{ row, reviewer: parsed.data }];
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '');
      const heading = field in poolColumns ? poolColumns[field as Column][0] : field === 'conflicts' ? poolColumns.conflictApplications[0] : field;
      const hint = field === 'divisions' ? ` (one of ${Division.options.join(', ')})` : '';
      problems.push(`row ${row}, ${heading} (${field}): ${issue.message}${hint}`);
    }
    return [];
  });
  if (problems.length) return { ok: false, problems };
  const pool = ReviewerPool.safeParse(reviewers.map((r) => r.reviewer));
  if (!pool.success)
    return { ok: false, problems: pool.error.issues.map((issue) => `row ${reviewers[Number(issue.path[0] ?? 0)]?.row ?? '?'}: ${issue.message}`) };
  if (pool.data.length === 0) return { ok: false, problems: ['the spreadsheet has no reviewer under its header row'] };
  return { ok: true, pool: pool.data };
}
