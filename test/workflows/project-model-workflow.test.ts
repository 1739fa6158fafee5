import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { getShortestPaths } from 'xstate/graph';
import type { SnapshotFrom } from 'xstate';
import { AllianceError } from '../../domain/errors';
import type { ProjectClient } from '../../gateway/projects';
import { alliance105 } from '../../domain/calls';
import type { ProjectEvent, ProjectEventType, ProjectPayload } from '../../domain/project-events';
import { judge } from '../../machines/judge';
import { projectMachine } from '../../machines/project-machine';
import { statePaths } from '../../machines/state-names';
import { projectInput } from '../fixtures/project-input';
import { anApplication } from '../fixtures/applications';
import { actors, sampleEvents } from '../fixtures/project-events';
import { connectDevServer, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, settledHistoryLength, withServiceWorker } from '../helpers/project-harness';

type Snapshot = SnapshotFrom<typeof projectMachine>;

// Commands only: system events come from the workflow's own timers, tested in the deadline suites.
const commands = sampleEvents().filter((e) => e.actor.role !== 'system');
const application = anApplication();
const input = projectInput({ projectId: 'model', callId: 'model', application });

/** One shortest path to every distinct state value the commands can reach. */
function pathsToEveryStateValue() {
  const paths = getShortestPaths(projectMachine, {
    events: commands,
    input,
    // What the guards see of the review: whether someone is assigned, has reviewed, or stepped down (and may not be assigned again).
    serializeState: (s) =>
      JSON.stringify([
        s.value,
        s.context.reviewers.length > 0,
        s.context.reviews.length > 0,
        (s.context.declinedReviews ?? []).length > 0,
        s.context.decision?.outcome ?? null,
      ]),
    limit: 100_000,
  });
  const byValue = new Map<string, (typeof paths)[number]>();
  for (const path of paths) {
    const key = JSON.stringify(path.state.value);
    const known = byValue.get(key);
    if (!known || path.steps.length < known.steps.length) byValue.set(key, path);
  }
  return [...byValue.values()];
}

const split = (event: ProjectEvent) => {
  const { type, actor, at: _at, ...payload } = event;
  return { type, actor, payload: payload as ProjectPayload<ProjectEventType> };
};

async function outcome(projects: ProjectClient, id: string, event: ProjectEvent): Promise<string> {
  const { type, actor, payload } = split(event);
  try {
    // Straight to the workflow's validator: this test is about what the workflow accepts.
    const result = await projects.send(id, type, actor, payload, { precheck: false });
    return `accepted → ${result.states.join(' | ')}`;
  } catch (error) {
    if (error instanceof AllianceError) return `refused: ${error.code}`;
    throw error;
  }
}

const machineCode: Record<string, string> = {
  INVALID_PAYLOAD: 'VALIDATION',
  ROLE_NOT_ALLOWED: 'ROLE_NOT_ALLOWED',
  FORBIDDEN: 'FORBIDDEN',
  ILLEGAL_TRANSITION: 'ILLEGAL_TRANSITION',
};
function predicted(snapshot: Snapshot, event: ProjectEvent, next?: Snapshot): string {
  const { type, actor, payload } = split(event);
  const verdict = judge(snapshot, { type, actor, payload }, event.at);
  if (!verdict.ok) return `refused: ${machineCode[verdict.code]}`;
  return `accepted → ${statePaths((next ?? snapshot).value).join(' | ')}`;
}

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
beforeAll(async () => {
  [env, bundle] = await Promise.all([connectDevServer(), bundleServiceWorkflows()]);
});
afterAll(() => env?.teardown());

it('the real workflow accepts exactly what the machine accepts, along a path to every state', async () => {
  const paths = pathsToEveryStateValue();
  expect(paths.length).toBeGreaterThan(25);
  // No deadline falls inside the test: every path is driven by commands alone. No notices either:
  // this test is about what the workflow accepts (the notice suites cover mail).
  const { notifications: _none, ...call } = compressedCall(
    alliance105,
    Date.now(),
    {
      applicationClosesIn: 3600,
      endorsementIn: 3700,
      firstYearStartsIn: 3800,
      yearLength: 'P1Y',
      progressReportDueBeforeYearEnd: 'P3M',
      closingReportGrace: 'P3M',
    },
    uniqueName('model'),
  );
  let compared = 0;

  await withServiceWorker(env, bundle, uniqueName('model'), async (projects) => {
    const mismatches: string[] = [];
    const walk = async (path: (typeof paths)[number], index: number) => {
      // One call per path: the application keeps the model's id, so an update naming it is the same command in both.
      const id = await projects.create({ ...call, id: `${call.id}-${index}` }, application);
      let snapshot: Snapshot = path.steps[0]!.state;
      for (const step of path.steps.slice(1)) {
        const expected = predicted(snapshot, step.event, step.state);
        const actual = await outcome(projects, id, step.event);
        compared++;
        if (actual !== expected) mismatches.push(`${id} ${step.event.type}: machine ${expected}, workflow ${actual}`);
        snapshot = step.state;
      }
      // At the end of the path: every command the machine refuses, and every command as an auditor.
      const historyLength = await settledHistoryLength(projects, id);
      const tries = [...commands.filter((e) => !snapshot.can(e)), ...commands.map((e) => ({ ...e, actor: actors.auditor }) as ProjectEvent)];
      for (const event of tries) {
        const expected = predicted(snapshot, event);
        const actual = await outcome(projects, id, event);
        compared++;
        if (actual !== expected)
          mismatches.push(`${id} at ${statePaths(snapshot.value).join('|')} ${event.actor.role} ${event.type}: machine ${expected}, workflow ${actual}`);
      }
      if ((await settledHistoryLength(projects, id)) !== historyLength) mismatches.push(`${id}: a refused command changed the history`);
      if (!snapshot.status || snapshot.status === 'active') await projects.handle(id).terminate('model test finished');
    };
    // A few paths at a time: the dev server and two cores are shared with other suites.
    for (let i = 0; i < paths.length; i += 4) {
      await Promise.all(paths.slice(i, i + 4).map((path, j) => walk(path, i + j)));
    }
    expect(mismatches).toEqual([]);
  });
  console.log(`model-based workflow test: ${paths.length} paths, ${compared} commands compared with the machine`);
  // Thousands of commands on two cores shared with every other suite: a wide safety net, not a speed check.
}, 300_000);
