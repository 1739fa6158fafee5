import type { ProjectContext, ReportRecord } from './project-context';

export type YearResults = NonNullable<ReportRecord['kpis']>;

/**
 * What each project year achieved, as the office accepted it: the KPIs of the last report
 * submitted for that year before its acceptance (law v2 keeps them). Earliest year first.
 */
export function acceptedKpis(context: Pick<ProjectContext, 'reports'>): YearResults[] {
  const lastSubmitted = new Map<number, ReportRecord>();
  const accepted: YearResults[] = [];
  for (const report of context.reports) {
    if (report.outcome === 'submitted') lastSubmitted.set(report.year, report);
    if (report.outcome === 'accepted') {
      const kpis = lastSubmitted.get(report.year)?.kpis;
      if (kpis) accepted.push(kpis);
    }
  }
  return accepted.sort((a, b) => a.year - b.year);
}

/** The exhibition's measure of a year: its income as the phase-2 rule counts it (industry–academia funding weighted). */
export const resultsIncome = (k: YearResults, industryProjectWeight: number): number =>
  k.memberFeesNtd + k.technologyTransferNtd + k.technicalServicesNtd + industryProjectWeight * k.industryAcademiaProjectsNtd;

export interface ExhibitionCandidate {
  projectId: string;
  lifecycle: string;
  results: YearResults[];
}

/**
 * The alliances the office selects for the results exhibition: those with accepted results of the
 * policy's project year, best income first (then more counted members, then project id, so the
 * order is the same on every host), the policy's number of them.
 */
export function rankForExhibition(
  candidates: readonly ExhibitionCandidate[],
  policy: { alliances: number; projectYear: number },
  industryProjectWeight: number,
): { projectId: string; rank: number; incomeNtd: number; countedMembers: number | null }[] {
  return candidates
    .flatMap((c) => {
      const year = c.results.find((k) => k.year === policy.projectYear);
      return year && ['execution', 'closing'].includes(c.lifecycle)
        ? [{ projectId: c.projectId, incomeNtd: resultsIncome(year, industryProjectWeight), countedMembers: year.countedMembers }]
        : [];
    })
    .sort(
      (a, b) =>
        b.incomeNtd - a.incomeNtd ||
        (b.countedMembers ?? -1) - (a.countedMembers ?? -1) ||
        (a.projectId < b.projectId ? -1 : a.projectId > b.projectId ? 1 : 0),
    )
    .slice(0, policy.alliances)
    .map((c, i) => ({ ...c, rank: i + 1 }));
}
