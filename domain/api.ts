// The HTTP API's request and response schemas: the routes validate with them and the OpenAPI
// document is generated from them, so nothing is described twice.
import { z } from 'zod';
import { Actor, Principal, Role } from './actor';
import { Division, NewApplication, Region } from './application';
import { Call } from './call';
import { bounds, LongText } from './bounds';
import { errorCodes } from './errors';
import { ReviewerPool } from './reviewers';

/** A call or application id as it appears in a URL. */
export const Id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, 'expected letters, digits and hyphens').max(64);

/** RFC 9457 problem details, carrying the service's error code. */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.enum([...(Object.keys(errorCodes) as [keyof typeof errorCodes, ...(keyof typeof errorCodes)[]])]),
  detail: z.string(),
  details: z.array(z.string()),
});
export type Problem = z.infer<typeof Problem>;

export const ProjectParams = z.object({ callId: Id, applicationId: Id }).strict();
export const CallParams = z.object({ callId: Id }).strict();

export const OpenCallBody = z.object({ call: Call, reviewerPool: ReviewerPool }).strict();
export const RegisterApplicationBody = z.object({ application: NewApplication }).strict();
export const RosterBody = z.object({
  rosterId: z.string().trim().min(1, 'expected the roster id').max(64),
  letterReference: z.string().trim().min(1, "expected the reference of the institution's official letter").max(200),
  applicationIds: z.array(Id).min(1, 'expected at least one application id').max(500),
}).strict();
export const ScopeBody = z.object({ division: Division.optional() }).strict();
export const InviteBody = z.union([
  z.object({ topPerDivision: z.number().int().min(1).max(1000) }).strict(),
  z.object({ applicationIds: z.array(Id).min(1).max(1000) }).strict(),
]);
export const ScheduleBody = z.object({ startsAt: z.iso.datetime({ offset: true, error: 'expected an instant such as 2016-12-05T09:00:00+08:00' }).max(bounds.instant) }).strict();
/** The office moves a deadline of the whole call (a typhoon day); a project's own deadlines move one project at a time. */
export const AmendDeadlineBody = z.object({
  deadline: z.enum(['application', 'endorsement']),
  until: z.iso.datetime({ offset: true, error: 'expected an instant such as 2016-09-13T17:00:00+08:00' }).max(bounds.instant),
  reason: LongText().trim().min(1, 'say why the deadline moves'),
}).strict();
export const EmptyBody = z.object({}).strict();

export const ProjectSearchQuery = z.object({
  call: Id.optional(),
  division: Division.optional(),
  region: Region.optional(),
  institution: Id.optional(),
  state: z.string().regex(/^[a-z][A-Za-z.]*$/, 'expected a lifecycle state such as review or execution').max(64).optional(),
  overdue: z.enum(['true', 'false']).optional(),
}).strict();

export const AuditSearchQuery = ProjectSearchQuery.extend({
  from: z.iso.datetime({ offset: true }).max(bounds.instant).optional(),
  to: z.iso.datetime({ offset: true }).max(bounds.instant).optional(),
}).strict();
export const AuditWorkflowParams = z.object({ workflowId: z.string().regex(/^(project|call):[A-Za-z0-9:-]+$/, 'expected project:CALL:APPLICATION or call:CALL').max(200) }).strict();
export const AuditHistoryQuery = z.object({ raw: z.enum(['true', 'false']).optional(), decode: z.enum(['true', 'false']).optional() }).strict();
/** A signed checkpoint an auditor kept, and the verifier key they check it with: both small, public texts. */
export const TrustedCheckpointBody = z.object({
  checkpoint: z.string().min(1).max(8_192, 'a checkpoint is a few lines: origin, size, root and signatures'),
  key: z.string().min(1).max(512, 'a verifier key is one line: name+keyid+base64key'),
}).strict();
export const ProofsBody = z.object({
  entries: z.array(z.number().int().positive()).min(1).max(1_000, 'at most 1,000 entries per request').optional(),
  workflowId: z.string().min(1).max(200).optional(),
  since: TrustedCheckpointBody.optional(),
}).strict().refine((body) => Boolean(body.entries) !== Boolean(body.workflowId), { message: 'give either entries (ledger seqs) or workflowId (a project or call)', path: ['entries'] });
export const ProofBundleResponse = z.object({
  checkpoint: z.string(),
  entries: z.array(z.object({ index: z.number().int(), leafHash: z.string(), proof: z.array(z.string()), leafData: z.string().optional(), payload: z.string().optional() })),
  since: z.object({ checkpoint: z.string(), proof: z.array(z.string()) }).optional(),
});
export const VerifyBody = z.object({ workflowId: AuditWorkflowParams.shape.workflowId.optional(), since: TrustedCheckpointBody.optional() }).strict()
  .refine((body) => !(body.workflowId && body.since), { message: 'since checks the whole ledger: give it without workflowId', path: ['since'] });
export const ExportQuery = z.union([
  z.object({ format: z.enum(['csv', 'json']).default('json'), call: Id }).strict(),
  z.object({ format: z.enum(['csv', 'json']).default('json'), project: AuditWorkflowParams.shape.workflowId }).strict(),
]);

// Responses: the fields a client relies on are typed; the records inside a project stay open.
const Loose = z.object({}).loose();

export const CommandResult = z.object({ lifecycle: z.string(), states: z.array(z.string()), projectYear: z.number().int() });
export const Deadline = z.object({ event: z.string(), at: z.string(), label: z.string() });
export const ProjectViewResponse = z.object({
  workflowId: z.string(),
  lifecycle: z.string(),
  states: z.array(z.string()),
  done: z.boolean(),
  overdue: z.boolean(),
  projectYear: z.number().int(),
  deadlines: z.array(Deadline),
  context: z.object({
    projectId: z.string(),
    callId: z.string(),
    application: Loose,
    reviewers: z.array(z.string()),
    reviews: z.array(z.object({ reviewerId: z.string(), score: z.number(), recommendation: z.string(), comments: z.string(), at: z.string() }).loose()),
    decision: Loose.nullable(),
  }).loose(),
});
export const TransitionLogResponse = z.array(z.object({
  seq: z.number().int(), at: z.string(), actor: Actor, event: z.string(), from: z.array(z.string()), to: z.array(z.string()),
}));
export const OfferedResponse = z.object({ role: Role, events: z.array(z.string()) });
export const OperationRecordResponse = z.object({
  operation: z.string(), by: Actor, at: z.string(), total: z.number().int(), applied: z.number().int(),
  skipped: z.array(z.object({ projectId: z.string(), type: z.string(), reason: z.string() })),
  unreachable: z.array(z.object({ projectId: z.string(), type: z.string(), reason: z.string() })).optional(),
});
export const CallViewResponse = z.object({
  callId: z.string(),
  state: z.string(),
  projects: z.array(z.object({ projectId: z.string(), applicationId: z.string(), institutionId: z.string(), division: z.string() }).loose()),
  rosters: z.array(Loose),
  assignments: z.record(z.string(), z.array(z.string())),
  rounds: z.array(Loose),
  invited: z.array(z.string()),
  slots: z.record(z.string(), z.string()),
  operations: z.array(Loose),
  reviewerPool: z.array(Loose).optional(),
  amendments: z.array(z.object({ deadline: z.string(), until: z.string(), reason: z.string(), by: Actor, at: z.string() })).optional(),
});
export const ExhibitionResponse = z.object({
  projectYear: z.number().int(),
  chosen: z.array(z.object({ projectId: z.string(), rank: z.number().int(), incomeNtd: z.number(), countedMembers: z.number().int().nullable() })),
  outcome: OperationRecordResponse.omit({ operation: true, by: true, at: true }),
});
export const CallSummary = z.object({ callId: z.string(), state: z.string(), rocYear: z.number().int().nullable(), startedAt: z.string() });
export const ReviewRoundResponse = z.array(Loose);
export const RankingResponse = z.record(z.string(), z.array(z.object({ rank: z.number().int(), applicationId: z.string(), writtenAverage: z.number().nullable(), panelScore: z.number().nullable() }).loose()));
export const BulkProgressResponse = z.object({ done: z.number().int(), total: z.number().int() }).nullable();
export const ProjectRecordResponse = z.array(z.object({
  workflowId: z.string(), callId: z.string(), division: z.string(), region: z.string(), institution: z.string(), state: z.string(), projectYear: z.number(), overdue: z.boolean(),
}).loose());
export const MyWork = z.object({
  actor: Actor,
  principal: Principal,
  projects: z.array(z.object({ callId: z.string(), projectId: z.string(), applicationId: z.string(), title: z.string(), assignedToMe: z.boolean() })),
});
export const NoticeResponse = z.array(z.object({
  workflowId: z.string(), noticeId: z.string(), kind: z.string(), startedAt: z.string(), status: z.string(), detail: z.string(), officeAlerted: z.boolean(),
}));
export const LedgerEntriesResponse = z.array(z.object({ seq: z.number().int(), workflowId: z.string(), entrySeq: z.number().int(), at: z.string(), actor: Actor, event: z.string(), hash: z.string() }).loose());
export const RawHistoryResponse = z.object({ source: z.enum(['temporal', 'archive']), decoded: z.boolean(), runs: z.array(z.object({ runId: z.string(), sha256: z.string(), history: z.unknown() })) });
export const QuarantineResponse = z.array(z.object({
  workflowId: z.string(), chainId: z.string(), entrySeq: z.number().int(), reason: z.literal('conflict'), detail: z.string(), entry: Loose, at: z.string(),
}));
export const QuarantineQuery = z.object({ workflowId: AuditWorkflowParams.shape.workflowId.optional() }).strict();
export const AlertsResponse = z.array(z.object({ key: z.string(), kind: z.enum(['ledgerQuarantine', 'ledgerGap', 'ledgerRewritten', 'noticeHeldUp', 'noticeUncertain']), subject: z.string(), detail: z.string(), at: z.string() }));
export const VerifyResponse = z.object({ checked: z.number().int(), comparedWithTemporal: z.number().int(), broken: Loose.nullable(), ledger: Loose.optional(), checkpoint: z.string().optional() });
export const CheckpointResponse = z.object({ checkpoint: z.string(), verifierKey: z.string(), size: z.number().int(), root: z.string() });
/** One payload as Temporal's JSON carries it (metadata values and data in base64): what the codec server takes and gives. */
const Base64 = z.string().max(bounds.codecPayload, 'expected at most 4 MiB of base64').regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'expected base64');
export const CodecPayloads = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string().max(bounds.name), Base64).optional(), data: Base64.optional() }).strict()).max(bounds.list, 'expected at most 1,000 payloads per request'),
}).strict();
export type CodecPayloads = z.infer<typeof CodecPayloads>;
export const LoginInfo = z.object({ issuer: z.string(), cliClientId: z.string(), audience: z.string() });
export const ServiceStatus = z.object({
  service: z.string(),
  version: z.string(),
  temporal: z.object({ namespace: z.string(), taskQueue: z.string(), reachable: z.boolean(), serverVersion: z.string().nullable(), workerPollers: z.number().int(), error: z.string().optional() }),
  identityProvider: z.object({ issuer: z.string(), reachable: z.boolean() }),
});
