import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow/codec-helpers';
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { noticeWorkflowId } from '../domain/ids';
import type { NoticeOutcome } from '../messages/notices';
import type { SentNotice } from '../messages/notices';
import { projectNoticesQuery } from '../messages/project';
import type { NoticeSummary } from '../messages/notices';

/**
 * `notice:project:alliance-105:TE2-0001:t12-tranchePaid` → `t12-tranchePaid`, kind `tranchePaid`;
 * reminder ids carry an ISO instant (with colons): `r-progressReportDue-2017-10-31T16:00:00.000Z--P30D`.
 */
export function noticeIdOf(workflowId: string): { noticeId: string; kind: string } {
  const noticeId = /:(t\d+-\w+|r-.+)$/.exec(workflowId)?.[1] ?? workflowId;
  const kind = noticeId.startsWith('r-') ? noticeId.split('-')[1]! : noticeId.slice(noticeId.indexOf('-') + 1);
  return { noticeId, kind };
}

/** How long the notice list waits for a project's worker to tell what the project delivered. */
const SENT_QUERY_PATIENCE_MS = 10_000;

/** A notice the project delivered itself, in the office's terms (a handed-over one is read from its own workflow). */
function inlineSummary(projectWorkflowId: string, notice: SentNotice): NoticeSummary {
  const base = { workflowId: noticeWorkflowId(projectWorkflowId, notice.noticeId), noticeId: notice.noticeId, kind: notice.kind, startedAt: notice.at };
  if (notice.status !== 'delivered')
    return { ...base, status: 'pending', officeAlerted: false, detail: notice.status === 'sending' ? 'being sent' : 'handed to its own workflow' };
  const recipients = notice.sent + notice.alreadySent;
  if (notice.uncertain > 0)
    return {
      ...base,
      status: 'uncertain',
      officeAlerted: true,
      detail: uncertainDetail(recipients, notice.uncertain),
      recipients,
      uncertain: notice.uncertain,
    };
  return { ...base, status: 'delivered', officeAlerted: false, detail: `${recipients} recipient(s)`, recipients };
}

const uncertainDetail = (recipients: number, uncertain: number): string =>
  `${recipients} recipient(s); ${uncertain} perhaps not (the relay was lost after the end of the message; not sent again)`;

/** The office's view of notices: what a project was sent, and what is still waiting for the mail relay. */
export class NoticeClient {
  constructor(private readonly client: Client) {}

  /**
   * Every notice of one project, oldest first: those the project delivered itself (its query)
   * and those with a workflow of their own (visibility), the workflow's account winning.
   */
  async forProject(projectWorkflowId: string): Promise<NoticeSummary[]> {
    const [sent, own] = await Promise.all([
      this.sentBy(projectWorkflowId),
      this.list(`WorkflowType = 'noticeWorkflow' AND WorkflowId STARTS_WITH '${noticeWorkflowId(projectWorkflowId.replace(/'/g, ''), '')}'`),
    ]);
    const withWorkflow = new Set(own.map((n) => n.noticeId));
    const summaries = [...sent.filter((n) => !withWorkflow.has(n.noticeId)).map((n) => inlineSummary(projectWorkflowId, n)), ...own];
    return summaries.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  }

  /**
   * What the project says it delivered. Nothing from a project that predates the query, does not
   * exist, or whose worker does not answer within 10 s: the list then holds what visibility knows.
   */
  private async sentBy(projectWorkflowId: string): Promise<readonly SentNotice[]> {
    try {
      return await this.client.withDeadline(Date.now() + SENT_QUERY_PATIENCE_MS, () =>
        this.client.workflow.getHandle(projectWorkflowId).query(projectNoticesQuery),
      );
    } catch {
      return [];
    }
  }

  /** Every notice not yet delivered to all its recipients, across all projects. */
  undelivered(): Promise<NoticeSummary[]> {
    return this.list(`WorkflowType = 'noticeWorkflow' AND ExecutionStatus = 'Running'`);
  }

  private async list(query: string): Promise<NoticeSummary[]> {
    const executions: WorkflowExecutionInfo[] = [];
    for await (const execution of this.client.workflow.list({ query })) executions.push(execution);
    executions.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
    return Promise.all(executions.map((e) => this.summarize(e)));
  }

  private async summarize(execution: WorkflowExecutionInfo): Promise<NoticeSummary> {
    const base = { workflowId: execution.workflowId, ...noticeIdOf(execution.workflowId), startedAt: execution.startTime.toISOString() };
    const handle = this.client.workflow.getHandle(execution.workflowId, execution.runId);
    if (execution.status.name === 'RUNNING') {
      const pending = (await handle.describe()).raw.pendingActivities?.[0];
      // Failure messages travel encrypted (they may quote an address): decoded as any client reads them.
      const error = (await decodeOptionalFailureToOptionalError(this.client.options.loadedDataConverter, pending?.lastFailure).catch(() => undefined))?.message;
      const attempts = pending?.attempt ?? 0;
      return { ...base, status: 'pending', officeAlerted: false, detail: `${attempts} attempt(s)${error ? `, last error: ${error}` : ''}`, attempts };
    }
    if (execution.status.name !== 'COMPLETED') return { ...base, status: 'failed', officeAlerted: false, detail: execution.status.name.toLowerCase() };
    const outcome = (await handle.result()) as NoticeOutcome;
    if (outcome.status === 'refused') return { ...base, status: 'refused', officeAlerted: true, detail: outcome.reason };
    const uncertain = outcome.uncertain ?? 0;
    const recipients = outcome.sent + outcome.alreadySent;
    if (uncertain > 0) return { ...base, status: 'uncertain', officeAlerted: true, detail: uncertainDetail(recipients, uncertain), recipients, uncertain };
    return { ...base, status: 'delivered', officeAlerted: outcome.officeAlerted, detail: `${recipients} recipient(s)`, recipients };
  }
}
