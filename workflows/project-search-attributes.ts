import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Call } from '../domain/call';
import { searchAttributes as keys } from '../domain/search-attributes';
import type { ProjectSnapshot } from '../machines/judge';
import { lifecycleState } from '../machines/state-names';

/** Whether anything of the project is past its deadline and not yet in. */
export function isOverdue(snapshot: ProjectSnapshot): boolean {
  return snapshot.matches({ execution: { progressReport: 'overdue' } }) || snapshot.matches({ closing: 'overdue' }) ||
    // A suspended project keeps the overdue report it had.
    (snapshot.matches('suspended') && snapshot.context.reportPastDue && !snapshot.context.acceptedReports.includes(snapshot.context.reportYear));
}

/** What the office filters projects by, upserted on every transition. */
export function projectSearchAttributes(snapshot: ProjectSnapshot, call: Call): SearchAttributeUpdatePair[] {
  const { application, projectYear } = snapshot.context;
  return [
    { key: keys.callId, value: call.id },
    { key: keys.rocYear, value: call.rocYear },
    { key: keys.division, value: application.division },
    { key: keys.region, value: application.region },
    { key: keys.institution, value: application.institution.id },
    { key: keys.state, value: lifecycleState(snapshot.value) },
    { key: keys.phase, value: application.phase.phase },
    { key: keys.projectYear, value: projectYear },
    { key: keys.overdue, value: isOverdue(snapshot) },
  ];
}

/** The same facts for the audit ledger's project table, which outlives Temporal's retention. */
export function projectRecord(snapshot: ProjectSnapshot, call: Call) {
  const { application, projectYear } = snapshot.context;
  return {
    callId: call.id, rocYear: call.rocYear, division: application.division, region: application.region, institution: application.institution.id,
    state: lifecycleState(snapshot.value), phase: application.phase.phase, projectYear, overdue: isOverdue(snapshot),
  };
}
