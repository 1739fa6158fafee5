import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Context, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ConfigurationError } from '../domain/environment';
import { RetentionPolicy as RetentionPolicySchema, retentionPolicy, tombstoneKind, type ErasureKind, type RetentionPolicy } from '../domain/retention';
import { retentionPlan, type Erasure } from '../machines/retention-plan';
import type { DocumentStore } from './documents/document-store';
import type { LedgerStore } from './ledger/store';
import type { NoticeLog } from './notices/notice-log';
import { sinkFileSuffix } from './notices/mail-sink';

export interface RetentionDependencies {
  ledger: LedgerStore;
  notices: NoticeLog;
  /** The service's client: executions Temporal still holds of an erased project are deleted. */
  client: Client;
  /** The document store: an erased project's documents are shredded with its key. */
  documents: DocumentStore;
  policy?: RetentionPolicy;
  /** The try-out mail sink's directory (make start without SMTP_URL): the project's kept mail goes too. */
  mailSinkDir?: string;
}

export interface RetentionOutcome {
  erased: { workflowId: string; kind: ErasureKind; rule: string }[];
  failed: { workflowId: string; kind: ErasureKind; reason: string }[];
  /** Due erasures left for the next tick (at most `ERASURES_PER_TICK` a tick). */
  left: number;
}

/** A tick's work is bounded: a backlog (the first run over years of ended projects) drains over ticks. */
const ERASURES_PER_TICK = 500;

/** Every closed execution Temporal still holds of the project and of its notices, deleted; their ids. */
async function deleteExecutions(client: Client, workflowId: string): Promise<string[]> {
  const quoted = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const deleted: string[] = [];
  for (const query of [`WorkflowId = ${quoted(workflowId)}`, `WorkflowId STARTS_WITH ${quoted(`notice:${workflowId}:`)}`]) {
    for await (const execution of client.workflow.list({ query })) {
      if (execution.status.name === 'RUNNING') continue;
      await client.workflowService.deleteWorkflowExecution({
        namespace: client.options.namespace,
        workflowExecution: { workflowId: execution.workflowId, runId: execution.runId },
      });
      deleted.push(`${execution.workflowId}/${execution.runId}`);
    }
  }
  return deleted.sort();
}

/** The project's notices from the notice log, and the try-out sink's copies of them. */
async function eraseNotices(deps: RetentionDependencies, workflowId: string): Promise<{ notices: number; mailFiles: number }> {
  const messageIds = await deps.notices.erase(`notice:${workflowId}:`);
  let mailFiles = 0;
  if (deps.mailSinkDir && existsSync(deps.mailSinkDir)) {
    const suffixes = new Set(messageIds.map((id) => `-${sinkFileSuffix(id)}`));
    for (const file of readdirSync(deps.mailSinkDir)) {
      const suffix = file.slice(file.lastIndexOf('-'));
      if (!suffixes.has(suffix)) continue;
      rmSync(path.join(deps.mailSinkDir, file), { force: true });
      mailFiles++;
    }
  }
  return { notices: messageIds.length, mailFiles };
}

/**
 * One erasure: what lives outside the ledger first (each step idempotent), then the ledger's part
 * and its tombstone in one transaction. A crash between leaves the data outside gone and the
 * tombstone unwritten: the next tick erases again, finds nothing more, and writes it.
 */
async function erase(deps: RetentionDependencies, due: Erasure): Promise<void> {
  const outside =
    due.kind === 'notices'
      ? { temporalExecutions: [], ...(await eraseNotices(deps, due.workflowId)), documents: 0 }
      : {
          temporalExecutions: await deleteExecutions(deps.client, due.workflowId),
          notices: 0,
          mailFiles: 0,
          // After the executions: nothing Temporal still held of the project needs its documents now.
          documents: await deps.documents.eraseScope(due.workflowId),
        };
  await deps.ledger.erase({ workflowId: due.workflowId, kind: due.kind, rule: due.rule, period: due.period, outside });
}

/** The policy at ALLIANCE_RETENTION_POLICY_FILE, checked as the default is; without one, the default. */
export function readRetentionPolicy(file: string | undefined): RetentionPolicy {
  if (!file) return retentionPolicy;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    throw new ConfigurationError([`ALLIANCE_RETENTION_POLICY_FILE: ${file} is not a readable JSON file (${(error as Error).message})`]);
  }
  const parsed = RetentionPolicySchema.safeParse(json);
  if (!parsed.success)
    throw new ConfigurationError(
      parsed.error.issues.map((i) => `ALLIANCE_RETENTION_POLICY_FILE: ${i.path.join('.') || '(the file)'}: ${i.message} (see domain/retention-policy.json)`),
    );
  return parsed.data;
}

/** Builds the retention activity over its dependencies (see STYLE: dependency injection). */
export function createRetentionActivities(deps: RetentionDependencies) {
  return {
    /**
     * Applies the retention policy as of now: every ended project whose period has passed loses
     * its notices, then its personal data, each leaving a tombstone in the ledger.
     */
    async applyRetention(): Promise<RetentionOutcome> {
      const policy = deps.policy ?? retentionPolicy;
      // Every project as last recorded: the plan keeps only those that ended (a running one has no rule).
      const projects = (await deps.ledger.projects()).map((p) => ({ workflowId: p.workflowId, state: p.state, endedAt: p.updatedAt }));
      const done = new Set((await deps.ledger.tombstones()).map((t) => `${t.workflowId} ${tombstoneKind(t.event)}`));
      const plan = retentionPlan(policy, projects, done, new Date());
      const outcome: RetentionOutcome = { erased: [], failed: [], left: Math.max(0, plan.length - ERASURES_PER_TICK) };
      for (const due of plan.slice(0, ERASURES_PER_TICK)) {
        try {
          await erase(deps, due);
          outcome.erased.push({ workflowId: due.workflowId, kind: due.kind, rule: due.rule });
        } catch (error) {
          // One project's failure never holds up the others: it is due again at the next tick.
          log.warn('retention: an erasure failed', { workflowId: due.workflowId, kind: due.kind, error: (error as Error).message });
          outcome.failed.push({ workflowId: due.workflowId, kind: due.kind, reason: (error as Error).message });
        }
        Context.current().heartbeat(due.workflowId);
      }
      return outcome;
    },
  };
}
