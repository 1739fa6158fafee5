import type { Application } from '../domain/application';
import type { ProgrammePolicy } from '../domain/policy';
import { durableRecordProblem } from '../machines/eligibility';
import type { LedgerStore } from './ledger/store';

/** The applicant's record the call keeps beside the ledger, beyond Temporal's retention. */
export function createApplicantRecordActivities(deps: { ledger: LedgerStore }) {
  return {
    /**
     * Claims the phase 2 of a phase-1 project for the application being registered, in the shared
     * store's own transaction (a unique key): of two registrations naming one phase-1 project, in
     * one call or in two, at most one holds it. Idempotent: the same claimant again holds it still.
     * Returns the holder after the attempt.
     */
    async claimPhase2Continuation(input: { phase1ProjectId: string; projectId: string }): Promise<string> {
      return deps.ledger.claimPhase2(input.phase1ProjectId, input.projectId);
    },

    /**
     * The applicant's durable record judged by the law (an overdue closing report, a phase 1 declared
     * again by a running alliance): the PI's projects as the shared store recorded them, in every
     * call, whether or not Temporal still holds them. The refusal, or null.
     */
    async applicantRecordProblem(input: { application: Application; policy: ProgrammePolicy }): Promise<string | null> {
      return durableRecordProblem(input.application, input.policy, await deps.ledger.projectsOfPi(input.application.pi.id));
    },
  };
}
