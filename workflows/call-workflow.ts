import { allHandlersFinished, condition, continueAsNew, patched, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Actor } from '../domain/actor';
import { byCodePoint } from '../domain/order';
import { searchAttributes as keys } from '../domain/search-attributes';
import { callMachine } from '../machines/call-machine';
import { callStatusQuery, type CallView, type CallWorkflowInput } from '../messages/call';
import { handleDecision } from './call/decision';
import { handleAmendmentsAndClose, handleApplications } from './call/registration';
import { closeRounds, handleReview } from './call/review';
import { CallRun } from './call/run';
import { refuseUnsealedStart } from './sealed-start';

const system: Actor = { role: 'system', id: 'deadline-timer' };
type Timer = { at: string; fire: () => Promise<unknown> };

/** The call's next deadline: applications, endorsements, or an open review round's close. */
function nextTimer(run: CallRun): Timer | undefined {
  const timers: Timer[] = [];
  const { calendar } = run;
  if (run.state() === 'open') timers.push({ at: calendar.applicationWindow.closes, fire: () => Promise.resolve(run.move('deadline.application', system)) });
  if (run.state() === 'applicationsClosed')
    timers.push({ at: calendar.endorsementDeadline, fire: () => Promise.resolve(run.move('deadline.endorsement', system)) });
  for (const round of run.rounds.filter((r) => !r.closedAt)) {
    timers.push({ at: round.deadline, fire: () => run.exclusive(() => closeRounds(run, round.scope === 'all' ? undefined : round.scope)) });
  }
  return timers.sort((a, b) => byCodePoint(a.at, b.at))[0];
}

/** Waits for every handler and the ledger's appends, then moves the call's state to a new run. */
async function continueCall(run: CallRun, input: CallWorkflowInput): Promise<never> {
  do {
    await condition(allHandlersFinished);
    await run.audit.settled();
  } while (!allHandlersFinished());
  // The records travel in the snapshot: they are the call machine's context.
  return await continueAsNew<typeof callWorkflow>({
    call: input.call,
    reviewerPool: input.reviewerPool,
    ...(input.institutions && { institutions: input.institutions }),
    continueAsNewAfterEvents: input.continueAsNewAfterEvents,
    carried: { snapshot: callMachine.getPersistedSnapshot(run.snapshot), transitions: run.transitions },
  });
}

/**
 * One call of the programme: its application and endorsement deadlines, the institutions'
 * rosters and the office's review rounds, decision meeting and announcement. Its projects are
 * started as abandoned children: they outlive the call by years.
 */
export async function callWorkflow(input: CallWorkflowInput): Promise<CallView> {
  refuseUnsealedStart(input, 'callWorkflow');
  const { call, continueAsNewAfterEvents = 10_000 } = input;
  const run = new CallRun(input);
  handleApplications(run);
  handleReview(run);
  handleDecision(run);
  handleAmendmentsAndClose(run);
  // The query adds the call's title and calendar (the pages' deadlines); a query writes no history.
  setHandler(callStatusQuery, () => ({ ...run.view(), title: call.title, calendar: run.calendar, policy: call.policy }));

  upsertSearchAttributes([
    { key: keys.callId, value: call.id },
    { key: keys.rocYear, value: call.rocYear },
    { key: keys.state, value: run.state() },
  ]);
  while (run.snapshot.status !== 'done') {
    // A call of hundreds of applications and years of operations would outgrow one history: its state moves to a new run.
    if ((workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > continueAsNewAfterEvents) && patched('call-continue-as-new-v1')) {
      return await continueCall(run, { ...input, continueAsNewAfterEvents });
    }
    const timer = nextTimer(run);
    const seen = run.version;
    if (timer && Date.parse(timer.at) <= Date.now()) {
      await timer.fire();
      continue;
    }
    if (timer) await condition(() => run.version !== seen, Date.parse(timer.at) - Date.now());
    else await condition(() => run.version !== seen);
  }
  await condition(allHandlersFinished);
  await run.audit.settled();
  return run.view();
}
