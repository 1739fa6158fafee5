// The rule for retiring patches, applied: the registry lists exactly the patch ids the workflows
// ask about, and says which are due (none yet: the oldest dates from 2026-11-25).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnvironment } from '../../domain/environment';
import { PATCH_LEVELS } from '../../messages/patch-levels';
import { patchesIntroduced, retirablePatches } from '../../workflows/patch-registry';

const workflowsDir = path.join(__dirname, '..', '..', 'workflows');

/** Every patch id in the workflows' code: asked of `patched()`, named as a patch constant, or in a patch level. */
function patchIdsInCode(): Set<string> {
  const found = new Set<string>(Object.values(PATCH_LEVELS).flat());
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  for (const file of walk(workflowsDir).filter((f) => f.endsWith('.ts') && !f.endsWith('patch-registry.ts'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/patched\('([a-z0-9-]+)'\)|_PATCH = '([a-z0-9-]+)'/g)) found.add(m[1] ?? m[2]!);
  }
  return found;
}

it('lists exactly the patch ids the workflows ask about, each with the day it came', () => {
  expect([...patchIdsInCode()].sort()).toEqual(Object.keys(patchesIntroduced).sort());
  for (const since of Object.values(patchesIntroduced)) expect(since).toMatch(/^\d{4}-\d{2}-\d{2}$/);
});

it('retires nothing yet: the first patch falls due a project year and the retention after 2026-11-25', () => {
  // The namespace's retention as the service sets it: the longest a closed history can still be queried, so replayed.
  const retentionDays = parseEnvironment({}).TEMPORAL_RETENTION_DAYS;
  const due = retirablePatches(new Date(), retentionDays);
  console.log(`patches due for retirement today (retention ${retentionDays} days): ${due.length === 0 ? 'none' : due.map((p) => p.patchId).join(', ')}`);
  expect(due).toEqual([]);
  const first = retirablePatches(new Date('2100-01-01T00:00:00Z'), retentionDays)[0]!;
  expect(first).toEqual({ patchId: 'archive-on-close-v1', since: '2026-11-25', dueOn: expect.stringMatching(/^2037-/) as string });
  // A day before a patch's due day it is not due; on the day it is.
  const dueDay = new Date(`${first.dueOn}T00:00:00Z`);
  expect(retirablePatches(new Date(dueDay.getTime() - 86_400_000), retentionDays).map((p) => p.patchId)).not.toContain('archive-on-close-v1');
  expect(retirablePatches(dueDay, retentionDays).map((p) => p.patchId)).toContain('archive-on-close-v1');
});
