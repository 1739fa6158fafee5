/**
 * The programme's calls, one a year, as `make bench-scale` drives them (test/bench/scale.test.ts):
 * each call's applications registered, submitted and endorsed in their institutions' rosters, the
 * written review started, the round closed, a tenth of the applications presented and approved,
 * the decision meeting held, the announcement made (which rejects the rest: their workflows close)
 * and the call closed. Everything goes through the call and project workflows, as the API sends it.
 */
import { randomUUID } from 'node:crypto';
import { inLanes } from '../../activities/lanes';
import type { Actor } from '../../domain/actor';
import { callWorkflowId } from '../../domain/ids';
import type { ProjectEventType, ProjectPayload } from '../../domain/project-events';
import { searchAttributes as keys } from '../../domain/search-attributes';
import type { ApplicationInput } from '../../domain/application';
import { alliance105 } from '../../domain/calls';
import { cohort105, generateCohort, generateReviewerPool, institutions } from '../../client/cohort';
import { actors } from '../fixtures/project-events';
import { person } from '../fixtures/people';
import { compressedCall } from '../helpers/project-harness';
import { elapsedMs, eventually, LANES } from './bench-kit';
import { postgresBytes, temporalDatabaseBytes, type World } from './scale-world';

/** Of each call, this share is invited to present and approved; the announcement rejects the rest. */
const FUNDED_SHARE = 0.1;
/** A call's application window: the time its registrations and submissions took at the slowest pace seen, times this. */
const WINDOW_MARGIN = 2;
/** The first call's registrations that show the pace its deadlines are moved on: ten rounds of lanes, past the cold start. */
const HEAD = 10 * LANES;

/**
 * When a call's endorsements close, seconds from its opening, for an application window of
 * `windowSeconds`: the rosters go in once every application is submitted (half-way through the
 * window at the slowest pace), so they have half a window more (one call at a time: no other call's
 * review loads the machine meanwhile).
 */
const endorsementAfter = (windowSeconds: number): number => 1.5 * windowSeconds + 2;

const piOf = (application: ApplicationInput): Actor => person('pi', application.pi.id);

/**
 * Sends again what Temporal did not answer in time under load (NOT_REACHABLE), under the same
 * update id: the first outcome comes back, nothing is applied twice.
 */
async function again<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= 5 || (error as { code?: string }).code !== 'NOT_REACHABLE') throw error;
      progress(`sent again (attempt ${attempt + 1}): ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
    }
  }
}

export interface CallYear {
  callId: string;
  rocYear: number;
  applications: ApplicationInput[];
  projectIds: string[];
}

/** A line of progress on stderr, seconds since the run began: for long runs (1,000 projects or more), or BENCH_SCALE_PROGRESS=1. */
const began = Date.now();
const SHOW_PROGRESS = process.env.BENCH_SCALE_PROGRESS ? process.env.BENCH_SCALE_PROGRESS === '1' : Number(process.env.BENCH_SCALE_PROJECTS ?? 0) >= 1000;
export const progress = (line: string): void => {
  if (SHOW_PROGRESS) process.stderr.write(`[scale +${((Date.now() - began) / 1000).toFixed(1)} s] ${line}\n`);
};

/** Whole numbers in the proportions of `weights`, summing to `total` (largest remainders first). */
function apportion<K extends string>(weights: Record<K, number>, total: number): Record<K, number> {
  const entries = Object.entries(weights) as [K, number][];
  const sum = entries.reduce((a, [, w]) => a + w, 0);
  const shares = entries.map(([k, w]) => ({ k, exact: (w * total) / sum }));
  const counts = Object.fromEntries(shares.map(({ k, exact }) => [k, Math.floor(exact)])) as Record<K, number>;
  let left = total - Object.values<number>(counts).reduce((a, b) => a + b, 0);
  for (const { k } of [...shares].sort((a, b) => (b.exact % 1) - (a.exact % 1))) if (left-- > 0) counts[k]++;
  return counts;
}

/**
 * A call's applications: the 105 cohort's proportions of regions and divisions, `size` of them. Each
 * year brings new alliances: a PI whose alliance still runs may not declare phase 1 again at the same
 * institution (machines/eligibility.ts), so the PIs of later years are new people — but for the
 * first of TE2, who applies every year, each time at the next institution of the programme.
 */
export function cohortOf(size: number, seed: number): ApplicationInput[] {
  const all = Object.entries(institutions).flatMap(([region, list]) => list.map(([id, name]) => ({ region, id, name })));
  const generate = (s: number) => generateCohort(s, { regions: apportion(cohort105.regions, size), divisions: apportion(cohort105.divisions, size) });
  const cohort = generate(seed);
  if (seed === 105) return cohort;
  const firstYear = generate(105).find((a) => a.id === 'TE2-001')!;
  return cohort.map((a) => {
    if (a.id !== 'TE2-001') return { ...a, pi: { ...a.pi, id: `${a.pi.id}-${seed}` } };
    // The institutions in turn from the one of the first year (its cohort's, not this year's), so
    // no year meets an alliance of an earlier one still running.
    const first = Math.max(
      0,
      all.findIndex((i) => i.id === firstYear.institution.id),
    );
    const at = all[(first + seed - 105) % all.length]!;
    return {
      ...a,
      region: at.region as ApplicationInput['region'],
      institution: { ...a.institution, id: at.id, name: at.name, researchOfficeEmail: `rd@${at.id.toLowerCase()}.edu.tw` },
      pi: { ...a.pi, institutionId: at.id },
    };
  });
}

/**
 * The calls, year after year. The application window of a call must outlast its registrations
 * and submissions: it is sized on the slowest pace seen so far, with a margin. The first call has
 * no pace to go by: it opens for a day, and once its first rounds of registrations have shown the
 * pace, the office moves its deadlines (as on a typhoon day; those drafts take the amendment).
 */
export class Programme {
  /** Applications registered and submitted per second, the slowest seen. */
  private rate: number | undefined;
  private opened = 0;

  constructor(
    private readonly world: World,
    private readonly callSize: number,
    private readonly prefix: string,
  ) {}

  /** Opens the next year's call and registers, submits and endorses its applications; returns once the call holds them all. */
  async openAndRegister(): Promise<CallYear> {
    const rocYear = 105 + this.opened++;
    const applications = cohortOf(this.callSize, rocYear);
    const callId = `${this.prefix}-${rocYear}`;
    const first = this.rate === undefined;
    await this.open(callId, rocYear, first ? 86_400 : 3 + (WINDOW_MARGIN * applications.length) / this.rate!);
    const started = process.hrtime.bigint();
    // The first call: ten rounds of registrations (drafts), then its deadlines moved on their pace.
    const head = first ? applications.slice(0, HEAD) : [];
    const headIds = await inLanes(head, LANES, (a) => this.register(callId, a));
    // What is left, registrations and submissions, at the pace of those rounds, with the margin.
    const moving = process.hrtime.bigint();
    if (first) await this.moveDeadlines(callId, 3 + (WINDOW_MARGIN * (2 * applications.length - head.length) * elapsedMs(started)) / 1000 / head.length);
    const moved = elapsedMs(moving);
    const restIds = await inLanes(applications.slice(head.length), LANES, async (a) => {
      const id = await this.register(callId, a);
      await this.send(id, 'application.submit', piOf(a), {});
      return id;
    });
    await inLanes(head, LANES, (a) => this.send(headIds[head.indexOf(a)]!, 'application.submit', piOf(a), {}));
    const rate = applications.length / ((elapsedMs(started) - moved) / 1000);
    this.rate = Math.min(this.rate ?? rate, rate);
    await this.endorse(callId, rocYear, applications);
    progress(`${callId}: ${applications.length} registered, submitted and endorsed (${rate.toFixed(1)} a second)`);
    return { callId, rocYear, applications, projectIds: [...headIds, ...restIds] };
  }

  /** A PI registers an application; sent again under the same key if Temporal did not answer under load. */
  private register(callId: string, application: ApplicationInput): Promise<string> {
    return again(() => this.world.calls.idempotent(`register-${callId}-${application.id}`).registerApplication(callId, piOf(application), application));
  }

  /** A project command; sent again under the same update id if Temporal did not answer under load. */
  private send<T extends ProjectEventType>(projectId: string, type: T, actor: Actor, payload: ProjectPayload<T>): Promise<unknown> {
    const updateId = randomUUID();
    return again(() => this.world.projects.send(projectId, type, actor, payload, { updateId }));
  }

  /**
   * The office opens a call whose applications close in `windowSeconds`, its endorsements as
   * `endorsementAfter` says.
   */
  private async open(callId: string, rocYear: number, windowSeconds: number): Promise<void> {
    const times = {
      applicationClosesIn: windowSeconds,
      endorsementIn: endorsementAfter(windowSeconds),
      firstYearStartsIn: 90 * 86_400,
      yearLength: 'P1Y',
      progressReportDueBeforeYearEnd: 'P3M',
      closingReportGrace: 'P3M',
      writtenReviewPeriod: 'P30D',
    };
    await this.world.calls.open({ ...compressedCall(alliance105, Date.now(), times, callId), rocYear }, generateReviewerPool(rocYear));
  }

  /** Each institution's research office endorses its applications in one roster. */
  private async endorse(callId: string, rocYear: number, applications: ApplicationInput[]): Promise<void> {
    const byInstitution = new Map<string, string[]>();
    for (const a of applications) byInstitution.set(a.institution.id, [...(byInstitution.get(a.institution.id) ?? []), a.id]);
    for (const [institutionId, applicationIds] of byInstitution)
      await this.world.calls.submitRoster(callId, person('institution', institutionId), {
        rosterId: `${institutionId}-${rocYear}`,
        letterReference: `${institutionId}-L${rocYear}`,
        applicationIds,
      });
  }

  /** The office moves the application deadline to `seconds` from now, the endorsement deadline as `open` sets it. */
  private async moveDeadlines(callId: string, seconds: number): Promise<void> {
    const reason = 'The first call of the benchmark closes on the pace of its registrations';
    const until = (s: number): string => new Date(Date.now() + s * 1000).toISOString();
    await this.world.calls.amendDeadline(callId, actors.office, { deadline: 'application', until: until(seconds), reason });
    await this.world.calls.amendDeadline(callId, actors.office, { deadline: 'endorsement', until: until(endorsementAfter(seconds)), reason });
  }

  /** Once its endorsements have closed: the office starts the written review; how long it took. */
  async startReview(year: CallYear): Promise<{ ms: number; applied: number }> {
    const { calls } = this.world;
    // Asked of the call's search attribute, not its status: a thousand applications' status is no cheap poll.
    const state = async (): Promise<string | undefined> =>
      (await this.world.env.client.workflow.getHandle(callWorkflowId(year.callId)).describe()).typedSearchAttributes.get(keys.state);
    if (!(await eventually(async () => (await state()) === 'endorsementsClosed', 3_600_000)))
      throw new Error(`call ${year.callId} did not close its endorsements`);
    const started = process.hrtime.bigint();
    const outcome = await calls.startWrittenReview(year.callId, actors.office);
    const ms = elapsedMs(started);
    progress(`${year.callId}: review started in ${(ms / 1000).toFixed(2)} s`);
    if (outcome.skipped.length > 0 || (outcome.unreachable ?? []).length > 0)
      throw new Error(`review start of ${year.callId}: ${outcome.skipped.length} skipped, ${(outcome.unreachable ?? []).length} unreachable`);
    return { ms, applied: outcome.applied };
  }

  /**
   * The round closed, a tenth presented and approved, the decision meeting, the announcement (timed)
   * and the call's close.
   */
  async decideAndClose(year: CallYear): Promise<{ ms: number; applied: number; approved: number }> {
    const { calls } = this.world;
    const office = actors.office;
    await calls.closeWrittenReview(year.callId, office);
    const funded = year.applications.slice(0, Math.max(1, Math.round(year.applications.length * FUNDED_SHARE)));
    await calls.invitePresentations(year.callId, office, { applicationIds: funded.map((a) => a.id) });
    await calls.schedulePresentations(year.callId, office, new Date(Date.now() + 86_400_000).toISOString());
    await inLanes(funded, LANES, async (application) => {
      const id = year.projectIds[year.applications.indexOf(application)]!;
      await this.send(id, 'presentation.record', office, { panelScore: 85, comments: 'Convincing' });
      const amountsNtd = application.budget.map((b) => b.personnel + b.operatingExpenses + b.serviceEquipment);
      await this.send(id, 'decision.record', office, { outcome: 'approved', amountsNtd });
    });
    await calls.startDecisionMeeting(year.callId, office);
    const started = process.hrtime.bigint();
    const outcome = await calls.announce(year.callId, office);
    const ms = elapsedMs(started);
    if (outcome.skipped.length > 0 || (outcome.unreachable ?? []).length > 0)
      throw new Error(`announcement of ${year.callId}: ${outcome.skipped.length} skipped, ${(outcome.unreachable ?? []).length} unreachable`);
    await calls.close(year.callId, office);
    // The databases after each complete year: their growth per year, like for like.
    const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
    progress(
      `${year.callId}: announced in ${(ms / 1000).toFixed(2)} s and closed; Temporal database ${mb(temporalDatabaseBytes(this.world))} MB, PostgreSQL ${mb(await postgresBytes(this.world))} MB`,
    );
    return { ms, applied: outcome.applied, approved: funded.length };
  }

  /**
   * `count` calls, one a year as the programme runs them: each is decided and closed before the
   * next one opens (its funded projects run on), the last left in its written review. Returns the
   * last call and the time its review start took.
   */
  async years(count: number): Promise<{ current: CallYear; review: { ms: number; applied: number } }> {
    for (let i = 0; i < count - 1; i++) {
      const year = await this.openAndRegister();
      await this.startReview(year);
      await this.decideAndClose(year);
    }
    const current = await this.openAndRegister();
    return { current, review: await this.startReview(current) };
  }
}
