// The calls as the search attributes list them: what /api/calls, /api/me and the pages show.
import type { z } from 'zod';
import type { CallSummary } from '../../domain/api';
import { searchAttributes as keys } from '../../domain/search-attributes';
import type { Services } from './services';

/** The calls Temporal knows, newest first (a decade of the programme is a few dozen; the API pages them). */
export async function listCalls(services: Services): Promise<z.infer<typeof CallSummary>[]> {
  const found: z.infer<typeof CallSummary>[] = [];
  for await (const execution of services.calls.list()) {
    // A call that continued as new lists each of its runs: the newest (listed first) stands for it.
    if (found.some((c) => c.callId === execution.workflowId.replace(/^call:/, ''))) continue;
    found.push({
      callId: execution.workflowId.replace(/^call:/, ''),
      state: execution.typedSearchAttributes.get(keys.state) ?? execution.status.name.toLowerCase(),
      rocYear: execution.typedSearchAttributes.get(keys.rocYear) ?? null,
      startedAt: execution.startTime.toISOString(),
    });
  }
  return found;
}
