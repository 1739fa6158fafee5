import { patched } from '@temporalio/workflow';
import { CURRENT_PATCH_LEVEL, PATCH_LEVELS } from '../messages/patch-levels';

/** Whether a patch is on in this run: taken from the run's level when it has it, else asked of the history. */
export type PatchCheck = (patchId: string) => boolean;

export function patchCheck(level: number | undefined): PatchCheck {
  const patches = level === undefined ? [] : PATCH_LEVELS[level];
  // A run from newer code than this worker's: failing the task leaves it to a worker that knows the level.
  if (!patches) throw new Error(`patch level ${level} is newer than this worker's code (it knows up to ${CURRENT_PATCH_LEVEL})`);
  const born = new Set(patches);
  return (patchId) => born.has(patchId) || patched(patchId);
}
