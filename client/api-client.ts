import type { z } from 'zod';
import type { CalendarFeed, CalendarRevoked, CallSummary, DigestChoice, LoginInfo, MyWork, ServiceStatus, TodoList } from '../domain/api';
import type { Division, ApplicationInput } from '../domain/application';
import { AllianceError, errorCodes, type ErrorCode } from '../domain/errors';
import type { ProjectEventType, ProjectPayload } from '../domain/project-events';
import type { RankedApplication } from '../domain/ranking';
import type { ExhibitionOutcome } from '../messages/call';
import type { LedgerEntry, OfficeAlert, ProjectRecord, QuarantinedEntry } from '../domain/records';
import type { NoticeSummary } from '../messages/notices';
import type { CurrentCheckpoint, RawHistory, TrustedCheckpoint, VerifyReport } from '../tlog/reports';
import type { ProofBundle } from '../tlog/proof-bundle';
import type { CallView, OperationRecord, ReviewRound } from '../messages/call';
import type { CommandResult, ProjectView, TransitionLogEntry } from '../messages/project';

/** Gives the current access token, refreshing it when it has expired. */
export type TokenSource = () => Promise<string>;

/** `project:alliance-105:TE2-0001` → `alliance-105/TE2-0001`, the API's path of a project. */
const projectPath = (projectId: string): string => {
  const [, callId, applicationId] = projectId.split(':');
  return `/api/projects/${encodeURIComponent(callId ?? '')}/${encodeURIComponent(applicationId ?? '')}`;
};

/** How many times a read is tried while the service is away: about 7 s in all. */
const READ_ATTEMPTS = 3;
/** Items asked for per page when a whole list is read: the most the API gives. */
const LIST_PAGE = 1_000;
/** The longest a refused command waits for its allowance before it is sent again (a minute's window). */
const MAX_WAIT_SECONDS = 60;

interface Answer<T> {
  value: T;
  /** The next page's path, from the Link header, for a list that goes on. */
  next: string | null;
}

/** The HTTP API, typed: what the command line and the demo use instead of Temporal. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: TokenSource | null,
    /** The language the person reads (an Accept-Language value): refusals and problems come back in it. */
    private readonly language?: string,
  ) {}

  /**
   * Reads are asked again, a few times with a growing pause, when the service or Temporal behind it
   * is briefly away (NOT_REACHABLE): a read changes nothing. Commands are not: the caller decides.
   */
  async request<T>(method: string, path: string, body?: unknown, options: { anonymous?: boolean; text?: boolean } = {}): Promise<T> {
    return (await this.answer<T>(method, path, body, options)).value;
  }

  /** Every item of a list, page after page, following the Link header (rel="next") to its end. */
  async all<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let next: string | null = `${path}${path.includes('?') ? '&' : '?'}limit=${LIST_PAGE}`;
    while (next) {
      const page: { value: T[]; next: string | null } = await this.answer<T[]>('GET', next);
      items.push(...page.value);
      next = page.next;
    }
    return items;
  }

  private async answer<T>(
    method: string,
    path: string,
    body?: unknown,
    options: { anonymous?: boolean; text?: boolean; bytes?: boolean } = {},
  ): Promise<Answer<T>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.requestOnce<T>(method, path, body, options);
      } catch (error) {
        if (method !== 'GET' || attempt >= READ_ATTEMPTS || !(error instanceof AllianceError) || error.code !== 'NOT_REACHABLE') throw error;
        await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
      }
    }
  }

  private async requestOnce<T>(
    method: string,
    path: string,
    body?: unknown,
    options: { anonymous?: boolean; text?: boolean; waited?: boolean; raw?: Uint8Array; bytes?: boolean } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = this.language ? { 'accept-language': this.language } : {};
    if (!options.anonymous) {
      if (!this.token) throw new AllianceError('UNAUTHENTICATED', 'Not logged in: run `alliance login` first.');
      headers.authorization = `Bearer ${await this.token()}`;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.raw) headers['content-type'] = 'application/octet-stream';
    const sent = options.raw ? { body: options.raw } : body !== undefined ? { body: JSON.stringify(body) } : {};
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { method, headers, ...sent });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new AllianceError(
        'NOT_REACHABLE',
        `The service at ${this.baseUrl} cannot be reached (${cause}); is \`make start\` running, or ALLIANCE_API_URL right?`,
      );
    }
    // Over the minute's allowance: refused before anything ran, so sent once more when the service says.
    const waitSeconds = Number(response.headers.get('retry-after'));
    if (response.status === 429 && !options.waited && waitSeconds > 0 && waitSeconds <= MAX_WAIT_SECONDS) {
      await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
      return this.requestOnce<T>(method, path, body, { ...options, waited: true });
    }
    if (options.bytes && response.ok) return { value: new Uint8Array(await response.arrayBuffer()) as T, next: null };
    const text = await response.text();
    if (!response.ok) {
      const problem = (() => {
        try {
          return JSON.parse(text) as { code?: string; detail?: string; details?: string[] };
        } catch {
          return {};
        }
      })();
      const code: ErrorCode =
        problem.code && Object.hasOwn(errorCodes, problem.code) ? (problem.code as ErrorCode) : response.status === 401 ? 'UNAUTHENTICATED' : 'INTERNAL';
      throw new AllianceError(code, problem.detail ?? `${method} ${path} answered HTTP ${response.status}`, problem.details ?? []);
    }
    const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1] ?? null;
    return { value: (options.text ? text : text ? JSON.parse(text) : null) as T, next };
  }

  loginInfo(): Promise<z.infer<typeof LoginInfo>> {
    return this.request('GET', '/auth/config', undefined, { anonymous: true });
  }

  status(): Promise<z.infer<typeof ServiceStatus>> {
    return this.request('GET', '/status', undefined, { anonymous: true });
  }

  /** Every call, newest first. */
  listCalls(): Promise<z.infer<typeof CallSummary>[]> {
    return this.all('/api/calls');
  }

  readonly calendar = {
    create: (lang: string): Promise<z.infer<typeof CalendarFeed>> => this.request('POST', `/api/me/calendar?lang=${encodeURIComponent(lang)}`),
    revoke: (): Promise<z.infer<typeof CalendarRevoked>> => this.request('DELETE', '/api/me/calendar'),
  };

  /** Your daily digest of reminders: which you chose, or choose it. */
  readonly digest = {
    get: (): Promise<z.infer<typeof DigestChoice>> => this.request('GET', '/api/me/digest'),
    choose: (daily: boolean): Promise<z.infer<typeof DigestChoice>> => this.request('PUT', '/api/me/digest', { daily }),
  };

  /** What is due from you, soonest first. */
  todo(): Promise<z.infer<typeof TodoList>> {
    return this.all('/api/me/todo');
  }

  /** Who you are and all your work: the projects page after page, to the end. */
  async me(): Promise<z.infer<typeof MyWork>> {
    const first = await this.answer<z.infer<typeof MyWork>>('GET', `/api/me?limit=${LIST_PAGE}`);
    const projects = [...first.value.projects];
    for (let next = first.next; next;) {
      const page: Answer<z.infer<typeof MyWork>> = await this.answer('GET', next);
      projects.push(...page.value.projects);
      next = page.next;
    }
    return { ...first.value, projects };
  }

  readonly calls = {
    open: async (call: unknown, reviewerPool: unknown, institutions?: unknown): Promise<string> =>
      (await this.request<{ callId: string }>('POST', '/api/calls', { call, reviewerPool, ...(institutions !== undefined && { institutions }) })).callId,
    status: (callId: string): Promise<CallView> => this.request('GET', `/api/calls/${encodeURIComponent(callId)}`),
    progress: (callId: string): Promise<{ done: number; total: number } | null> => this.request('GET', `/api/calls/${encodeURIComponent(callId)}/progress`),
    registerApplication: async (callId: string, application: ApplicationInput): Promise<string> =>
      (await this.request<{ projectId: string }>('POST', `/api/calls/${encodeURIComponent(callId)}/applications`, { application })).projectId,
    submitRoster: (callId: string, roster: { rosterId: string; letterReference: string; applicationIds: string[] }): Promise<OperationRecord> =>
      this.request('POST', `/api/calls/${encodeURIComponent(callId)}/rosters`, roster),
    startWrittenReview: (callId: string, division?: Division): Promise<OperationRecord> =>
      this.request('POST', `/api/calls/${encodeURIComponent(callId)}/written-review`, division ? { division } : {}),
    amendDeadline: (callId: string, amendment: { deadline: 'application' | 'endorsement'; until: string; reason: string }): Promise<OperationRecord> =>
      this.request('POST', `/api/calls/${encodeURIComponent(callId)}/deadlines`, amendment),
    selectExhibition: (callId: string): Promise<ExhibitionOutcome> => this.request('POST', `/api/calls/${encodeURIComponent(callId)}/exhibition`, {}),
    closeWrittenReview: (callId: string, division?: Division): Promise<ReviewRound[]> =>
      this.request('POST', `/api/calls/${encodeURIComponent(callId)}/written-review/close`, division ? { division } : {}),
    invitePresentations: (callId: string, choice: { topPerDivision: number } | { applicationIds: string[] }): Promise<OperationRecord> =>
      this.request('POST', `/api/calls/${encodeURIComponent(callId)}/presentations/invitations`, choice),
    schedulePresentations: (callId: string, startsAt: string): Promise<OperationRecord> =>
      this.request('POST', `/api/calls/${encodeURIComponent(callId)}/presentations/schedule`, { startsAt }),
    startDecisionMeeting: (callId: string): Promise<Record<string, RankedApplication[]>> =>
      this.request('POST', `/api/calls/${encodeURIComponent(callId)}/decision-meeting`, {}),
    announce: (callId: string): Promise<OperationRecord> => this.request('POST', `/api/calls/${encodeURIComponent(callId)}/announcement`, {}),
    close: async (callId: string): Promise<string> =>
      (await this.request<{ state: string }>('POST', `/api/calls/${encodeURIComponent(callId)}/close`, {})).state,
  };

  readonly projects = {
    send: <T extends ProjectEventType>(projectId: string, type: T, payload: ProjectPayload<T>): Promise<CommandResult> =>
      this.request('POST', `${projectPath(projectId)}/${type}`, payload ?? {}),
    view: (projectId: string): Promise<ProjectView> => this.request('GET', projectPath(projectId)),
    transitionLog: (projectId: string): Promise<TransitionLogEntry[]> => this.all(`${projectPath(projectId)}/log`),
    search: (filter: Record<string, string>): Promise<ProjectRecord[]> => this.all(`/api/projects?${new URLSearchParams(filter).toString()}`),
    /** A document attached from its bytes (the service tells its format and checks its size), and one read back by its digest. */
    attach: async (projectId: string, kind: string, bytes: Uint8Array, name: string): Promise<CommandResult> =>
      (
        await this.requestOnce<CommandResult>(
          'PUT',
          `${projectPath(projectId)}/documents/${encodeURIComponent(kind)}?name=${encodeURIComponent(name)}`,
          undefined,
          { raw: bytes },
        )
      ).value,
    document: async (projectId: string, digest: string): Promise<Uint8Array> =>
      (await this.answer<Uint8Array>('GET', `${projectPath(projectId)}/documents/${encodeURIComponent(digest)}`, undefined, { bytes: true })).value,
  };

  readonly notices = {
    forProject: (projectId: string): Promise<NoticeSummary[]> => this.all(`${projectPath(projectId)}/notices`),
    undelivered: (): Promise<NoticeSummary[]> => this.all('/api/notices/undelivered'),
    alerts: (): Promise<OfficeAlert[]> => this.all('/api/alerts'),
  };

  readonly audit = {
    history: (workflowId: string): Promise<LedgerEntry[]> => this.all(`/api/audit/history/${encodeURIComponent(workflowId)}`),
    rawHistory: (workflowId: string): Promise<RawHistory> => this.request('GET', `/api/audit/history/${encodeURIComponent(workflowId)}?raw=true`),
    search: (filter: Record<string, string>): Promise<ProjectRecord[]> => this.all(`/api/audit/search?${new URLSearchParams(filter).toString()}`),
    verify: (workflowId?: string, since?: TrustedCheckpoint): Promise<VerifyReport> =>
      this.request('POST', '/api/audit/verify', { ...(workflowId ? { workflowId } : {}), ...(since ? { since } : {}) }),
    checkpoint: (): Promise<CurrentCheckpoint> => this.request('GET', '/api/audit/checkpoint'),
    proofs: (request: { entries?: number[]; workflowId?: string; since?: TrustedCheckpoint }): Promise<ProofBundle> =>
      this.request('POST', '/api/audit/proofs', request),
    quarantine: (workflowId?: string): Promise<QuarantinedEntry[]> =>
      this.all(`/api/audit/quarantine${workflowId ? `?${new URLSearchParams({ workflowId }).toString()}` : ''}`),
    export: (format: 'csv' | 'json', scope: { callId?: string; workflowId?: string }): Promise<string> =>
      this.request(
        'GET',
        `/api/audit/export?${new URLSearchParams({ format, ...(scope.workflowId ? { project: scope.workflowId } : { call: scope.callId! }) }).toString()}`,
        undefined,
        { text: true },
      ),
  };
}
