import type { SearchAttributePair } from '@temporalio/common';
import type { ProjectRecord } from '../domain/records';
import type { Application } from '../domain/application';
import type { Call } from '../domain/call';
import { searchAttributes as keys } from '../domain/search-attributes';
import type { ProjectSnapshot } from '../machines/judge';
import { lifecycleState } from '../machines/state-names';

/** Whether anything of the project is past its deadline and not yet in. */
export function isOverdue(snapshot: ProjectSnapshot): boolean {
  return (
    snapshot.matches({ execution: { progressReport: 'overdue' } }) ||
    snapshot.matches({ closing: 'overdue' }) ||
    // A suspended project keeps the overdue report it had.
    (snapshot.matches('suspended') && snapshot.context.reportPastDue && !snapshot.context.acceptedReports.includes(snapshot.context.reportYear))
  );
}

/** What the office filters projects by: search attributes in Temporal, the project table of the audit ledger. */
export type ProjectFacts = Omit<ProjectRecord, 'workflowId' | 'updatedAt'>;

/** The facts of a project not yet started: a draft of its call. */
export function draftFacts(call: Call, application: Application): ProjectFacts {
  return {
    callId: call.id,
    rocYear: call.rocYear,
    division: application.division,
    region: application.region,
    institution: application.institution.id,
    state: 'draft',
    phase: application.phase.phase,
    projectYear: 0,
    overdue: false,
  };
}

/** The facts of a running project, after any transition. */
export function projectRecord(snapshot: ProjectSnapshot, call: Call): ProjectFacts {
  return {
    ...draftFacts(call, snapshot.context.application),
    state: lifecycleState(snapshot.value),
    projectYear: snapshot.context.projectYear,
    overdue: isOverdue(snapshot),
  };
}

/** The facts as Temporal search attributes, set at start and upserted on every transition that changes them. */
export function searchAttributesOf(facts: ProjectFacts): SearchAttributePair[] {
  return [
    { key: keys.callId, value: facts.callId },
    { key: keys.rocYear, value: facts.rocYear },
    { key: keys.division, value: facts.division },
    { key: keys.region, value: facts.region },
    { key: keys.institution, value: facts.institution },
    { key: keys.state, value: facts.state },
    { key: keys.phase, value: facts.phase },
    { key: keys.projectYear, value: facts.projectYear },
    { key: keys.overdue, value: facts.overdue },
  ];
}

export const projectSearchAttributes = (snapshot: ProjectSnapshot, call: Call): SearchAttributePair[] => searchAttributesOf(projectRecord(snapshot, call));
