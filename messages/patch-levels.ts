// Part of a project run's input: the level its run starts at, and what each level turns on.

/**
 * The patches a project run has from its first event, by level. A run started at a level takes
 * that level's patches as on without asking `patched()`: no marker, and no `TemporalChangeVersion`
 * upsert the SDK adds to each, in its history (7 markers and 7 upserts in every run, about 50
 * events of a three-year life). The level is part of the run's input, so a replay of it decides
 * exactly as the run did; runs started before levels existed have none and ask `patched()` as
 * they always did. A released level never changes: a new patch goes into a new level.
 */
const LEVEL_1 = [
  'project-law-v2',
  'search-attributes-on-change-v1',
  'kept-alarm-v1',
  'archive-on-close-v1',
  'notices-v1',
  'notices-inline-v1',
  'audit-ledger-v1',
  'audit-eager-v1',
];
const LEVEL_2 = [...LEVEL_1, 'transition-notices-v1'];

export const PATCH_LEVELS: Readonly<Record<number, readonly string[]>> = {
  1: LEVEL_1,
  2: LEVEL_2,
  3: [...LEVEL_2, 'audit-carry-v1'],
  4: [...LEVEL_2, 'audit-carry-v1', 'project-law-v3'],
};

/** The level new project runs start at (a new project, and each continue-as-new). */
export const CURRENT_PATCH_LEVEL = 4;
