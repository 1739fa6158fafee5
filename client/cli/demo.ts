import type { Actor } from '../../domain/actor';
import type { ProjectEventType, ProjectPayload } from '../../domain/project-events';
import type { Application } from '../../domain/application';
import { Application as ApplicationSchema } from '../../domain/application';
import { alliance105 } from '../../domain/calls';
import { requestedTotal } from '../../domain/rules';
import { generateCohort, generateReviewerPool, seededRandom } from '../cohort';
import { compressedCall } from '../compressed-call';
import { ntd, table } from './output';
import { ApiClient } from '../api-client';
import { DEMO_PASSWORD } from '../../domain/demo-accounts';
import { AllianceError } from '../../domain/errors';
import type { ProjectView } from '../../messages/project';

/** The API as one actor of the demo: the office is whoever ran it; everyone else logs in as their seeded account. */
export type As = (actor: Actor) => ApiClient;

/**
 * The demo's people, through the door: the logged-in office account acts for the office; PIs,
 * research offices and reviewers log in with their seeded accounts of the embedded realm.
 */
export async function demoAccountsOf(office: ApiClient): Promise<As> {
  const me = await office.me();
  if (me.actor.role !== 'office')
    throw new AllianceError(
      'ROLE_NOT_ALLOWED',
      `The demo runs the programme office's steps: log in as an office account (e.g. kao), not as ${me.actor.role} ${me.actor.id}.`,
    );
  const { issuer, cliClientId } = await office.loginInfo();
  const tokens = new Map<string, Promise<string>>();
  const tokenOf = (username: string): Promise<string> => {
    if (!tokens.has(username)) {
      tokens.set(
        username,
        (async () => {
          const response = await fetch(`${issuer}/protocol/openid-connect/token`, {
            method: 'POST',
            body: new URLSearchParams({ grant_type: 'password', client_id: cliClientId, username, password: DEMO_PASSWORD, scope: 'openid' }),
          });
          if (!response.ok)
            throw new AllianceError(
              'UNAUTHENTICATED',
              `The demo account ${username} cannot log in (${response.status}); the demo needs the embedded realm's seeded accounts (seed 105).`,
            );
          return ((await response.json()) as { access_token: string }).access_token;
        })(),
      );
    }
    return tokens.get(username)!;
  };
  const clients = new Map<string, ApiClient>();
  return (actor) => {
    if (actor.role === 'office') return office;
    const username = actor.role === 'institution' ? `${actor.id.toLowerCase()}-rd` : actor.id;
    if (!clients.has(username)) clients.set(username, new ApiClient(office.baseUrl, () => tokenOf(username)));
    return clients.get(username)!;
  };
}

const office: Actor = { role: 'office', id: 'office' };

/** Runs `work` over `items`, at most `limit` at a time, in a stable order of results. */
async function inParallel<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!, i);
      }
    }),
  );
  return results;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`the demo waited ${timeoutMs / 1000} s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export interface DemoSummary {
  callId: string;
  rows: { division: string; applied: number; approved: number; approvedNtd: number; overdueReports: number }[];
  table: string;
}

/** When project year 1 starts and how long it lasts, in seconds from the demo's start. */
export interface DemoTiming {
  yearOneStartsIn: number;
  yearLengthSeconds: number;
  /** When endorsements close (applications 10 s before): 40 s unless a loaded machine needs more room. */
  endorsementIn?: number;
}

/**
 * Room for the review rounds, decisions and contracts of 91 applications (and their notices) on
 * a two-core machine before year 1 starts, and for 60 projects' tranches and reports within it.
 */
export const DEMO_TIMING = { yearOneStartsIn: 180, yearLengthSeconds: 90, endorsementIn: 40 } satisfies Required<DemoTiming>;

export interface DemoOptions {
  /** Only the first so many applications of the cohort (a shorter try-out); all 91 by default. */
  applications?: number;
  /**
   * End every funded project once year 1 is over (closing report, or termination): `alliance demo`
   * does, so that nothing of a run falls due on the service after it. Tests that look at where the
   * law leaves a cohort after year 1 leave them running.
   */
  endProjects?: boolean;
}

/** The lifecycles in which the office may terminate a project (the law's `project.terminate`). */
const terminable = new Set(['approved', 'contracting', 'execution', 'suspended']);

/**
 * Ends the demo's funded projects, as the programme ends projects: one whose last year was year 1
 * files its closing report and the office accepts it; one with years still to come is terminated
 * by the office, since the demo's calendar stops after year 1. Left running, they reach their
 * closing reports within minutes, which fall overdue, and an overdue closing report refuses the
 * PI's next application (machines/eligibility.ts): the next demo on this service among them.
 */
async function endProjects(as: As, ids: string[]): Promise<{ closed: number; terminated: number }> {
  const { projects } = as(office);
  const ended = { closed: 0, terminated: 0 };
  await inParallel(ids, 8, async (id) => {
    let view: ProjectView = await projects.view(id);
    // Year 1 was its only year: its year-end timer moves it to closing, a moment after the calendar says.
    if (view.lifecycle === 'execution' && view.context.application.yearsRequested === 1) {
      await until(`${id} to reach its closing report`, async () => (view = await projects.view(id)).lifecycle !== 'execution', 60_000);
    }
    if (view.lifecycle === 'closing') {
      if (!view.states.includes('closing.submitted'))
        await as({ role: 'pi', id: view.context.application.pi.id }).projects.send(id, 'closingReport.submit', { summary: '計畫結案報告' });
      await projects.send(id, 'closingReport.accept', { comments: '同意結案' });
      ended.closed++;
    } else if (terminable.has(view.lifecycle)) {
      await projects.send(id, 'project.terminate', { reason: '示範僅及第一年度，示範結束時終止' });
      ended.terminated++;
    }
  });
  return ended;
}

/** What each stage of the demo acts with. */
interface DemoStage {
  calls: ApiClient['calls'];
  callId: string;
  cohort: Application[];
  random: () => number;
  send: <T extends ProjectEventType>(actor: Actor, id: string, type: T, payload: ProjectPayload<T>) => Promise<unknown>;
  log: (line: string) => void;
  elapsed: () => string;
}

/** Every assigned reviewer but a few records a review; the top 9 of each division present. */
async function reviewAndPresent({ calls, callId, random, send, log, elapsed }: DemoStage): Promise<void> {
  const status = await calls.status(callId);
  const reviewTasks = Object.entries(status.assignments).flatMap(([applicationId, reviewers]) =>
    reviewers.map((reviewerId) => ({ applicationId, reviewerId })),
  );
  await inParallel(reviewTasks, 8, async ({ applicationId, reviewerId }) => {
    if (random() < 0.03) return; // a few reviewers never answer
    const score = 60 + Math.round(random() * 35);
    await send({ role: 'reviewer', id: reviewerId }, `project:${callId}:${applicationId}`, 'review.record', {
      score,
      recommendation: score >= 75 ? 'fund' : score >= 68 ? 'fundWithChanges' : 'doNotFund',
      comments: '書面審查意見',
    });
  });
  const [round] = await calls.closeWrittenReview(callId);
  log(`written review closed: ${reviewTasks.length - (round?.missing.length ?? 0)} reviews in, ${round?.missing.length ?? 0} missing (${elapsed()})`);

  await calls.invitePresentations(callId, { topPerDivision: 9 });
  await calls.schedulePresentations(callId, new Date(Date.now() + 3_600_000).toISOString());
  const invited = (await calls.status(callId)).invited;
  await inParallel(invited, 8, (applicationId) =>
    send(office, `project:${callId}:${applicationId}`, 'presentation.record', { panelScore: 65 + Math.round(random() * 30), comments: '簡報審查意見' }),
  );
  log(`${invited.length} applications presented (${elapsed()})`);
}

/** The decision meeting: about two thirds of each division's presented applications approved, at 90 % of their request. */
async function decide({ calls, callId, cohort, send, log, elapsed }: DemoStage) {
  const ranking = await calls.startDecisionMeeting(callId);
  const decisions = Object.values(ranking).flatMap((list) =>
    list.map((r) => ({ r, approve: r.panelScore !== null && r.rank <= Math.ceil(list.length * 0.65) })),
  );
  await inParallel(decisions, 8, async ({ r, approve }) => {
    const application = cohort.find((a) => a.id === r.applicationId)!;
    // The office trims each approved year to 90 % of the request, rounded down to NT$10,000.
    const amountsNtd = application.budget.map((b) => Math.floor((requestedTotal(application, b.year) * 0.9) / 10_000) * 10_000);
    await send(
      office,
      r.projectId,
      'decision.record',
      approve ? { outcome: 'approved', amountsNtd } : { outcome: 'rejected', reason: '經決審會議評比未獲補助' },
    );
  });
  await calls.announce(callId);
  const approved = decisions.filter((d) => d.approve).map((d) => d.r);
  log(`decisions announced: ${approved.length} approved (${elapsed()})`);
  return approved;
}

/** The demo's table: per division, applications, approvals, NT$ approved and reports overdue, with a total row. */
function summarize(views: ProjectView[], cohort: Application[]) {
  const divisions = [...new Set(cohort.map((a) => a.division))].sort();
  const rows = divisions.map((division) => {
    const mine = views.filter((v) => v.context.application.division === division);
    const approvedHere = mine.filter((v) => v.context.decision?.outcome === 'approved' && !['rejected', 'lapsed', 'withdrawn'].includes(v.lifecycle));
    return {
      division,
      applied: mine.length,
      approved: approvedHere.length,
      approvedNtd: approvedHere.reduce(
        (sum, v) => sum + (v.context.decision?.outcome === 'approved' ? v.context.decision.amountsNtd.reduce((a, b) => a + b, 0) : 0),
        0,
      ),
      overdueReports: mine.filter((v) => v.overdue).length,
    };
  });
  const total = rows.reduce(
    (t, r) => ({
      applied: t.applied + r.applied,
      approved: t.approved + r.approved,
      approvedNtd: t.approvedNtd + r.approvedNtd,
      overdueReports: t.overdueReports + r.overdueReports,
    }),
    { applied: 0, approved: 0, approvedNtd: 0, overdueReports: 0 },
  );
  const rendered = table(
    ['division', 'applied', 'approved', 'NT$ approved', 'overdue reports'],
    [
      ...rows.map((r) => [r.division, r.applied, r.approved, ntd(r.approvedNtd), r.overdueReports]),
      ['total', total.applied, total.approved, ntd(total.approvedNtd), total.overdueReports],
    ],
  );
  return { rows, rendered };
}

/**
 * The 91 applications of the 105 call, generated from `seed`, through endorsement, the three
 * review rounds, decisions and a first project year compressed to seconds — on the running service.
 */
export async function runDemo(
  as: As,
  seed: number,
  log: (line: string) => void,
  timing: DemoTiming = DEMO_TIMING,
  options: DemoOptions = {},
): Promise<DemoSummary> {
  const random = seededRandom(seed * 7919);
  const started = Date.now();
  const callId = `demo-105-${new Date(started).toISOString().replace(/\D/g, '').slice(0, 14)}`;
  const { yearOneStartsIn, yearLengthSeconds, endorsementIn = 40 } = timing;
  const call = compressedCall(
    alliance105,
    started,
    {
      applicationClosesIn: endorsementIn - 10,
      endorsementIn,
      firstYearStartsIn: yearOneStartsIn,
      // Progress reports are due 30 s before the year ends, or a third of a shorter year before.
      yearLength: `PT${yearLengthSeconds}S`,
      progressReportDueBeforeYearEnd: `PT${Math.min(30, Math.round(yearLengthSeconds / 3))}S`,
      closingReportGrace: 'PT30S',
      writtenReviewPeriod: 'PT10M',
    },
    callId,
  );
  const cohort: Application[] = generateCohort(seed)
    .slice(0, options.applications)
    .map((a) => ApplicationSchema.parse(a));
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
  const { calls, projects } = as(office);
  const send: DemoStage['send'] = (actor, id, type, payload) => as(actor).projects.send(id, type, payload);
  const stage: DemoStage = { calls, callId, cohort, random, send, log, elapsed };

  await calls.open(call, generateReviewerPool(seed));
  log(
    `opened ${callId}: applications close in ${endorsementIn - 10} s, endorsements in ${endorsementIn} s, project year 1 runs ${yearOneStartsIn}–${yearOneStartsIn + yearLengthSeconds} s`,
  );

  // Two PIs never submit; one institution leaves one applicant off its roster. Both lapse.
  const neverSubmitted = new Set(cohort.filter((_, i) => i % 45 === 44).map((a) => a.id));
  const ids = await inParallel(cohort, 8, async (application) => {
    const actor: Actor = { role: 'pi', id: application.pi.id };
    const id = await as(actor).calls.registerApplication(callId, application);
    if (!neverSubmitted.has(application.id)) await send(actor, id, 'application.submit', {});
    return id;
  });
  log(`${ids.length} applications created, ${ids.length - neverSubmitted.size} submitted (${elapsed()})`);

  const byInstitution = new Map<string, Application[]>();
  for (const a of cohort) if (!neverSubmitted.has(a.id)) byInstitution.set(a.institution.id, [...(byInstitution.get(a.institution.id) ?? []), a]);
  const forgotten = [...byInstitution.values()][0]!.at(-1)!.id;
  for (const [institutionId, applications] of byInstitution) {
    const applicationIds = applications.map((a) => a.id).filter((id) => id !== forgotten);
    await as({ role: 'institution', id: institutionId }).calls.submitRoster(callId, {
      rosterId: `${institutionId}-105-01`,
      letterReference: `${institutionId}研字第105${String(applicationIds.length).padStart(4, '0')}號`,
      applicationIds,
    });
  }
  log(`${byInstitution.size} institutions sent their rosters; ${forgotten} was left off (${elapsed()})`);

  await until('the endorsement deadline', async () => (await calls.status(callId)).state === 'endorsementsClosed', 120_000);
  const assigned = await calls.startWrittenReview(callId);
  log(`written review started: ${assigned.applied} commands (${elapsed()})`);

  await reviewAndPresent(stage);

  const approved = await decide(stage);

  await inParallel(approved, 8, async (r) => {
    const application = cohort.find((a) => a.id === r.applicationId)!;
    const institution: Actor = { role: 'institution', id: application.institution.id };
    await send(office, r.projectId, 'contract.issue', { contractNumber: `MOST 106-2622-${r.applicationId}` });
    await send(institution, r.projectId, 'contract.sign', {});
    await send({ role: 'pi', id: application.pi.id }, r.projectId, 'consent.sign', {});
  });
  log(`contracts signed (${elapsed()})`);

  await until('project year 1 to start', () => Promise.resolve(Date.now() >= Date.parse(call.calendar.firstProjectYearStarts)), (yearOneStartsIn + 60) * 1000);
  const late = new Set<string>();
  await inParallel(approved, 8, async (r) => {
    const application = cohort.find((a) => a.id === r.applicationId)!;
    const institution: Actor = { role: 'institution', id: application.institution.id };
    const view = await projects.view(r.projectId);
    const yearOne = view.context.decision?.outcome === 'approved' ? view.context.decision.amountsNtd[0]! : 0;
    for (const [tranche, amountNtd] of [
      [1, Math.floor(yearOne / 2)],
      [2, yearOne - Math.floor(yearOne / 2)],
    ] as const) {
      await send(institution, r.projectId, 'tranche.request', { amountNtd });
      await send(office, r.projectId, 'tranche.pay', { paymentReference: `PAY-${r.applicationId}-1-${tranche}` });
    }
    if (application.yearsRequested > 1) {
      if (random() < 0.15) late.add(r.projectId);
      else {
        await send({ role: 'pi', id: application.pi.id }, r.projectId, 'progressReport.submit', { summary: '第一年度期中進度報告' });
        await send(office, r.projectId, 'progressReport.accept', { comments: '同意核撥次年度經費' });
      }
    }
  });
  log(`year 1 funded; ${late.size} progress reports not sent in (${elapsed()})`);

  await until(
    'the end of project year 1',
    () => Promise.resolve(Date.now() >= Date.parse(call.calendar.firstProjectYearStarts) + (yearLengthSeconds + 1) * 1000),
    (yearLengthSeconds + 60) * 1000,
  );
  const views = await inParallel(ids, 8, (id) => projects.view(id));
  const { rows, rendered } = summarize(views, cohort);
  if (options.endProjects) {
    const { closed, terminated } = await endProjects(
      as,
      approved.map((r) => r.projectId),
    );
    log(`projects ended: ${closed} closed on their closing reports, ${terminated} terminated after year 1; nothing of this run falls due later (${elapsed()})`);
  }
  log(`demo finished in ${elapsed()}; call ${callId}, lapsed: ${views.filter((v) => v.lifecycle === 'lapsed').length}`);
  return { callId, rows, table: rendered };
}
