import type { Division } from './application';
import { byCodePoint } from './order';

export type ScoredApplication = {
  projectId: string;
  applicationId: string;
  division: Division;
  writtenScores: number[];
  panelScore: number | null;
};

export type RankedApplication = ScoredApplication & {
  rank: number;
  writtenAverage: number | null;
};

const average = (xs: number[]): number | null => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : null);

/** A ranked list per division: panel score first when there is one, then the written average, then id. */
export function rankByDivision(items: readonly ScoredApplication[]): Record<string, RankedApplication[]> {
  const byDivision: Record<string, RankedApplication[]> = {};
  for (const item of items) (byDivision[item.division] ??= []).push({ ...item, rank: 0, writtenAverage: average(item.writtenScores) });
  for (const list of Object.values(byDivision)) {
    list.sort(
      (a, b) =>
        (b.panelScore ?? -1) - (a.panelScore ?? -1) || (b.writtenAverage ?? -1) - (a.writtenAverage ?? -1) || byCodePoint(a.applicationId, b.applicationId),
    );
    list.forEach((item, i) => (item.rank = i + 1));
  }
  return byDivision;
}
