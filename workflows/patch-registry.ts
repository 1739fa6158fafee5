/**
 * Every patch id the workflows have asked `patched()` about, with the day the code first carried
 * it. The rule for retiring one (CONTRIBUTING.md, "Retiring patches"): once a patch is older than a
 * project year (the longest a project run lives before it continues as new at the current level)
 * plus Temporal's retention (the longest a closed history can still be queried, so replayed), no
 * history that lacks it can be replayed any more: its old branch may be deleted, `deprecatePatch`
 * kept for a release, and the replay corpus generations recorded before it dropped.
 * test/workflows/patch-registry.test.ts keeps this list equal to the code's patch ids and says
 * which, if any, are due.
 */
export const patchesIntroduced: Readonly<Record<string, string>> = {
  'archive-on-close-v1': '2026-11-25',
  'assignment-conflicts-v1': '2026-11-25',
  'audit-ledger-v1': '2026-11-25',
  'notices-v1': '2026-11-25',
  'announce-all-v1': '2026-11-26',
  'audit-batch-v1': '2026-11-26',
  'call-continue-as-new-v1': '2026-11-26',
  'notices-inline-v1': '2026-11-26',
  'project-law-v2': '2026-11-26',
  'review-close-v1': '2026-11-26',
  'search-attributes-on-change-v1': '2026-11-26',
  'audit-carry-v1': '2026-11-27',
  'audit-eager-v1': '2026-11-27',
  'kept-alarm-v1': '2026-11-27',
  'transition-notices-v1': '2026-11-27',
  'amend-call-scope-v1': '2026-12-06',
  'applicant-record-v1': '2026-12-06',
  'phase2-claim-v1': '2026-12-06',
  'rank-live-v1': '2026-12-06',
  'sealed-starts-v1': '2026-12-06',
  'project-law-v3': '2026-12-06',
  'tracing-v1': '2026-12-07',
  'round-mail-v1': '2026-12-07',
};

/** A project year, at its longest: a run of a project never lives longer before it continues as new. */
const PROJECT_YEAR_DAYS = 366;

/** The patches due for retirement on `day`, given Temporal's retention in days; oldest first. */
export function retirablePatches(day: Date, retentionDays: number): { patchId: string; since: string; dueOn: string }[] {
  return Object.entries(patchesIntroduced)
    .map(([patchId, since]) => ({
      patchId,
      since,
      dueOn: new Date(Date.parse(`${since}T00:00:00Z`) + (PROJECT_YEAR_DAYS + retentionDays) * 86_400_000).toISOString().slice(0, 10),
    }))
    .filter(({ dueOn }) => Date.parse(`${dueOn}T00:00:00Z`) <= day.getTime())
    .sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : 0));
}
