import type { Row } from '../sql/driver';
import type { LedgerEntry, NewLedgerEntry, OfficeAlert, ProjectRecord, QuarantinedEntry } from './store';

/** Ledger rows as the stores and the migrations read them. */
export const toEntry = (r: Row): LedgerEntry => ({
  seq: Number(r.seq),
  workflowId: String(r.workflow_id),
  ...(r.chain_id ? { chainId: String(r.chain_id) } : {}),
  entrySeq: Number(r.entry_seq),
  at: String(r.at),
  actor: {
    role: String(r.actor_role) as LedgerEntry['actor']['role'],
    id: String(r.actor_id),
    ...(typeof r.actor_via === 'string' ? { via: JSON.parse(r.actor_via) as NonNullable<LedgerEntry['actor']['via']> } : {}),
  },
  event: String(r.event),
  from: JSON.parse(String(r.from_states)) as string[],
  to: JSON.parse(String(r.to_states)) as string[],
  payloadDigest: String(r.payload_digest),
  prevHash: String(r.prev_hash),
  prevWorkflowHash: String(r.prev_workflow_hash),
  hash: String(r.hash),
});

export const toProject = (r: Row): ProjectRecord => ({
  workflowId: String(r.workflow_id),
  callId: String(r.call_id),
  rocYear: Number(r.roc_year),
  division: String(r.division),
  region: String(r.region),
  institution: String(r.institution),
  state: String(r.state),
  phase: Number(r.phase),
  projectYear: Number(r.project_year),
  overdue: Number(r.overdue) === 1,
  updatedAt: String(r.updated_at),
});

export const toQuarantined = (r: Row): QuarantinedEntry => ({
  workflowId: String(r.workflow_id),
  chainId: String(r.chain_id),
  entrySeq: Number(r.entry_seq),
  reason: 'conflict',
  detail: String(r.detail),
  entry: JSON.parse(String(r.entry_json)) as NewLedgerEntry,
  at: String(r.at),
});

export const toAlert = (r: Row): OfficeAlert => ({
  key: String(r.key),
  kind: String(r.kind) as OfficeAlert['kind'],
  subject: String(r.subject),
  detail: String(r.detail),
  at: String(r.at),
});
