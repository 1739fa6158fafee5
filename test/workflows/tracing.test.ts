// Optional OpenTelemetry tracing (gateway/tracing.ts): a command's update at the client, the workflow's
// handling of it and the activities it schedules are one trace; the spans carry no personal data; a
// run begun on a traced worker replays on an untraced one and the other way round
// (workflows/tracing-interceptors.ts), and an untraced run's history carries no trace at all.
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createActivities } from '../../activities';
import { alliance105 } from '../../domain/calls';
import { ProjectClient } from '../../gateway/projects';
import { createServiceWorker, untracedSinks } from '../../worker/create-worker';
import { tracingFromEnvironment, type Tracing } from '../../gateway/tracing';
import { anApplication } from '../fixtures/applications';
import { actors } from '../fixtures/project-events';
import { connectDevServer, testDocumentStore, uniqueName } from '../helpers/environments';
import { bundleServiceWorkflows, compressedCall, hourLongCall, temporaryLedger, temporaryMail } from '../helpers/project-harness';

let env: TestWorkflowEnvironment;
let traced: WorkflowBundle;
let untraced: WorkflowBundle;
let tracing: Tracing;

/** A span as an OTLP/HTTP (JSON) request carries it. */
interface Span {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}
interface OtlpTraces {
  resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: Span[] }[] }[];
}

/** A collector on loopback: keeps every span the service exports to it, with the service name it declared. */
const collected: (Span & { service: string })[] = [];
const collector: Server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraces;
    for (const { resource, scopeSpans } of body.resourceSpans) {
      const service = resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
      for (const { spans } of scopeSpans) collected.push(...spans.map((span) => ({ ...span, service })));
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  process.env.OTEL_BSP_SCHEDULE_DELAY = '100';
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  expect(tracingFromEnvironment({}, 'alliance-test')).toBeUndefined();
  tracing = tracingFromEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'alliance-test' }, 'alliance-service')!;
  [env, traced, untraced] = await Promise.all([connectDevServer(), bundleServiceWorkflows({ traced: true }), bundleServiceWorkflows()]);
});
afterAll(async () => {
  await tracing?.shutdown();
  collector.close();
  await env?.teardown();
});

const named = (prefix: string): Span[] => collected.filter((s) => s.name.startsWith(prefix));

async function eventuallyNamed(name: string): Promise<Span[]> {
  for (const until = Date.now() + 15_000; named(name).length === 0 && Date.now() < until;) await new Promise((r) => setTimeout(r, 100));
  return named(name);
}

async function eventuallySpan(name: string, traceId: string): Promise<Span> {
  for (const until = Date.now() + 15_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    const span = named(name).find((s) => s.traceId === traceId);
    if (span) return span;
  }
  throw new Error(`no ${name} span in trace ${traceId}: ${collected.map((s) => s.name).join(', ')}`);
}

it("joins a command's update, its handling and its activities in one trace, naming no one", async () => {
  const taskQueue = uniqueName('tracing');
  const client = new Client({
    connection: env.connection,
    namespace: env.namespace ?? 'default',
    dataConverter: env.client.options.dataConverter,
    interceptors: tracing.clientInterceptors,
  });
  const projects = new ProjectClient(client, taskQueue);
  const { ledger } = await temporaryLedger();
  const mail = await temporaryMail();
  const application = anApplication();
  const call = compressedCall(alliance105, Date.now(), hourLongCall, uniqueName('traced'));
  const worker = await createServiceWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities: createActivities({ projects, client, ledger, documents: testDocumentStore(), mail: mail.mail }),
    workflowBundle: traced,
    dataConverter: env.client.options.dataConverter,
    tracing,
  });
  try {
    const id = await worker.runUntil(async () => {
      const created = await projects.create(call, application);
      await projects.send(created, 'application.submit', actors.pi, {});

      const update = (await eventuallyNamed('StartWorkflowUpdate:application.submit'))[0]!;
      const trace = update.traceId;
      // The update's validation and handling in the workflow, the activity it scheduled and that activity's run: one trace.
      await eventuallySpan('ValidateUpdate:application.submit', trace);
      await eventuallySpan('HandleUpdate:application.submit', trace);
      const run = await eventuallySpan('RunActivity:', trace);
      const scheduled = await eventuallySpan(`StartActivity:${run.name.slice('RunActivity:'.length)}`, trace);
      expect(run.parentSpanId).toBe(scheduled.spanId);
      expect(
        named('StartWorkflow:projectWorkflow').some((s) => s.attributes.some((a) => a.key === 'temporalWorkflowId' && a.value.stringValue === created)),
      ).toBe(true);
      expect(new Set(collected.map((s) => s.service))).toEqual(new Set(['alliance-test']));
      return created;
    });

    // Spans name workflows, updates and activities, never what a person sent.
    const said = JSON.stringify(collected);
    for (const personal of [application.pi.name, application.pi.email, application.title]) expect(said).not.toContain(personal);

    // Switching tracing off does not strand the runs begun traced: the traced history replays on a worker without it.
    const history = await projects.handle(id).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: untraced, dataConverter: env.client.options.dataConverter, sinks: untracedSinks }, history, id);
    // Nor the other way: a run begun untraced has no marker and no trace header, and replays on a traced worker.
    const plainQueue = uniqueName('untraced');
    const plainProjects = new ProjectClient(env.client, plainQueue);
    const plainWorker = await createServiceWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: plainQueue,
      activities: createActivities({ projects: plainProjects, client: env.client, ledger, documents: testDocumentStore(), mail: mail.mail }),
      workflowBundle: untraced,
      dataConverter: env.client.options.dataConverter,
    });
    const plainId = await plainWorker.runUntil(async () => {
      const created = await plainProjects.create({ ...call, id: uniqueName('untraced') }, anApplication());
      await plainProjects.send(created, 'application.submit', actors.pi, {});
      return created;
    });
    const plain = await plainProjects.handle(plainId).fetchHistory();
    const patches = plain.events!.flatMap(
      (e) => e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.map((p) => Buffer.from(p.data!).toString()) ?? [],
    );
    expect(patches.some((p) => p.includes('tracing-v1'))).toBe(false);
    const headers = plain.events!.flatMap((e) => Object.keys(e.activityTaskScheduledEventAttributes?.header?.fields ?? {}));
    expect(headers).not.toContain('_tracer-data');
    const tracedHeaders = history.events!.flatMap((e) => Object.keys(e.activityTaskScheduledEventAttributes?.header?.fields ?? {}));
    expect(tracedHeaders).toContain('_tracer-data');
    await Worker.runReplayHistory({ workflowBundle: traced, dataConverter: env.client.options.dataConverter, sinks: untracedSinks }, plain, plainId);
  } finally {
    await mail.stop();
  }
});
