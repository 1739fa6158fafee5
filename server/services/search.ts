// A search query of the API or a page, as the audit client's filter.
import type { z } from 'zod';
import type { AuditSearchQuery } from '../../domain/api';
import type { SearchFilter } from '../../gateway/audit';

/** A search query (API or page) as the audit client's filter: only what was asked. */
export function searchFilterOf(q: z.infer<typeof AuditSearchQuery>, institution = q.institution): SearchFilter {
  return {
    ...(q.call ? { callId: q.call } : {}),
    ...(q.division ? { division: q.division } : {}),
    ...(q.region ? { region: q.region } : {}),
    ...(institution ? { institution } : {}),
    ...(q.state ? { state: q.state } : {}),
    ...(q.overdue ? { overdue: q.overdue === 'true' } : {}),
    ...(q.from ? { from: new Date(q.from).toISOString() } : {}),
    ...(q.to ? { to: new Date(q.to).toISOString() } : {}),
  };
}
