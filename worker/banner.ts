/** What `make start` prints, in this order; the README shows the same (test/readme.test.ts keeps them alike). */
export const bannerLabels = [
  'Web pages',
  'API',
  'Identity provider',
  'Temporal gRPC',
  'Namespace',
  'Task queue',
  'Audit ledger',
  'Payload keys',
  'Documents',
  'Checkpoints',
  'Mail',
  'Notice log',
  'Web UI',
  'Data directory',
  'Temporal database',
] as const;
export type BannerLabel = (typeof bannerLabels)[number];

export const BANNER_TITLE = 'Alliance orchestration service is running:';

/** The banner's lines: the title, then each label that has a value, aligned. */
export function renderBanner(values: Partial<Record<BannerLabel, string>>): string[] {
  return [BANNER_TITLE, ...bannerLabels.filter((label) => values[label] !== undefined).map((label) => `  ${label.padEnd(18)} ${values[label]}`)];
}
