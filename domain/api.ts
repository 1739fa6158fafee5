// The HTTP API's request and response schemas: the routes validate with them and the OpenAPI
// document is generated from them, so nothing is described twice.
import { InstitutionRegistry } from './institutions';
import { z } from 'zod';
import { Actor, Principal, Role } from './actor';
import { Division, NewApplication, Region } from './application';
import { Call } from './call';
import { bounds, LongText } from './bounds';
import { errorCodes } from './errors';
import { ReviewerPool } from './reviewers';
import { DocumentKind, DocumentName } from './documents';

/**
 * A string the service answers with: bounded as what it reads is (no answer carries a text longer
 * than the longest it accepts), so a client reading a response meets a limit of its own.
 */
const Said = (): z.ZodString => z.string().max(bounds.text);
/** A ledger leaf or a payload in a proof bundle, base64: at most a codec payload. */
const Encoded = (): z.ZodString => z.string().max(bounds.codecPayload);

/** A call or application id as it appears in a URL. */
export const Id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, 'expected letters, digits and hyphens')
  .max(64);

/** A command's Idempotency-Key header: sent again under it, the command acts once (a UUID does). */
export const IdempotencyKey = z
  .string()
  .max(128, 'expected 1 to 128 letters, digits, dots, colons, underscores or hyphens, e.g. a UUID')
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'expected 1 to 128 letters, digits, dots, colons, underscores or hyphens, e.g. a UUID');

/** RFC 9457 problem details, carrying the service's error code. */
export const Problem = z.object({
  type: Said(),
  title: Said(),
  status: z.number().int(),
  code: z.enum([...(Object.keys(errorCodes) as [keyof typeof errorCodes, ...(keyof typeof errorCodes)[]])]),
  detail: Said(),
  details: z.array(Said()),
});
export type Problem = z.infer<typeof Problem>;

export const ProjectParams = z.object({ callId: Id, applicationId: Id }).strict();
export const CallParams = z.object({ callId: Id }).strict();
/** A call's spreadsheet: its kind and format as the file's name (`ranking.xlsx`, `payments.csv`). */
export const CallSheetParams = z
  .object({
    callId: Id,
    file: z
      .string()
      .max(20, 'expected a sheet and format such as ranking.xlsx or payments.csv')
      .regex(/^(applications|ranking|decisions|payments|overdue)\.(xlsx|csv)$/, 'expected a sheet and format such as ranking.xlsx or payments.csv')
      .meta({ example: 'ranking.xlsx' }),
  })
  .strict();
export const DocumentKindParams = z.object({ callId: Id, applicationId: Id, kind: DocumentKind }).strict();
export const DocumentParams = z
  .object({
    callId: Id,
    applicationId: Id,
    digest: z
      .string()
      .max(71)
      .regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256: and 64 hex digits'),
  })
  .strict();
/** A document's file name, as the person's file had it: shown in lists and offered back on download. */
export const DocumentUploadQuery = z.object({ name: DocumentName }).strict();

export const OpenCallBody = z
  .object({
    call: Call,
    reviewerPool: ReviewerPool,
    /** Where each institution's research office is told: registrations name an institution in it, and its notices go there. */
    institutions: InstitutionRegistry.optional(),
  })
  .strict();
export const RegisterApplicationBody = z.object({ application: NewApplication }).strict();
export const RosterBody = z
  .object({
    rosterId: z.string().trim().min(1, 'expected the roster id').max(64),
    letterReference: z.string().trim().min(1, "expected the reference of the institution's official letter").max(200),
    applicationIds: z.array(Id).min(1, 'expected at least one application id').max(500),
  })
  .strict();
export const ScopeBody = z.object({ division: Division.optional() }).strict();
export const InviteBody = z.union([
  z.object({ topPerDivision: z.number().int().min(1).max(1000) }).strict(),
  z.object({ applicationIds: z.array(Id).min(1).max(1000) }).strict(),
]);
export const ScheduleBody = z
  .object({ startsAt: z.iso.datetime({ offset: true, error: 'expected an instant such as 2016-12-05T09:00:00+08:00' }).max(bounds.instant) })
  .strict();
/** The office moves a deadline of the whole call (a typhoon day); a project's own deadlines move one project at a time. */
export const AmendDeadlineBody = z
  .object({
    deadline: z.enum(['application', 'endorsement']),
    until: z.iso.datetime({ offset: true, error: 'expected an instant such as 2016-09-13T17:00:00+08:00' }).max(bounds.instant),
    reason: LongText().trim().min(1, 'say why the deadline moves'),
  })
  .strict();
export const EmptyBody = z.object({}).strict();

/**
 * Every list pages: at most `limit` items (100 unless asked, at most 1,000), from where `cursor`
 * left off; the answer's Link header (rel="next") carries the next page's address until the end.
 */
export const PageQuery = z
  .object({
    limit: z.coerce.number().int('expected a whole number of items').min(1).max(1_000, 'at most 1,000 items a page').optional(),
    cursor: z
      .string()
      .max(512)
      .regex(/^[A-Za-z0-9_-]+$/, 'expected the cursor of a Link header this service gave')
      .optional(),
  })
  .strict();
export const pageFields = PageQuery.shape;

export const ProjectSearchQuery = z
  .object({
    ...pageFields,
    call: Id.optional(),
    division: Division.optional(),
    region: Region.optional(),
    institution: Id.optional(),
    state: z
      .string()
      .regex(/^[a-z][A-Za-z.]*$/, 'expected a lifecycle state such as review or execution')
      .max(64)
      .optional(),
    overdue: z.enum(['true', 'false']).optional(),
  })
  .strict();

export const AuditSearchQuery = ProjectSearchQuery.extend({
  from: z.iso.datetime({ offset: true }).max(bounds.instant).optional(),
  to: z.iso.datetime({ offset: true }).max(bounds.instant).optional(),
}).strict();
export const AuditWorkflowParams = z
  .object({
    workflowId: z
      .string()
      .regex(/^(project|call):[A-Za-z0-9:-]+$/, 'expected project:CALL:APPLICATION or call:CALL')
      .max(200),
  })
  .strict();
export const AuditHistoryQuery = z.object({ ...pageFields, raw: z.enum(['true', 'false']).optional(), decode: z.enum(['true', 'false']).optional() }).strict();
/** A signed checkpoint an auditor kept, and the verifier key they check it with: both small, public texts. */
export const TrustedCheckpointBody = z
  .object({
    checkpoint: z.string().min(1).max(8_192, 'a checkpoint is a few lines: origin, size, root and signatures'),
    key: z.string().min(1).max(512, 'a verifier key is one line: name+keyid+base64key'),
  })
  .strict();
export const ProofsBody = z
  .object({
    entries: z.array(z.number().int().positive()).min(1).max(1_000, 'at most 1,000 entries per request').optional(),
    workflowId: z.string().min(1).max(200).optional(),
    since: TrustedCheckpointBody.optional(),
  })
  .strict()
  .refine((body) => Boolean(body.entries) !== Boolean(body.workflowId), {
    message: 'give either entries (ledger seqs) or workflowId (a project or call)',
    path: ['entries'],
  });
export const ProofBundleResponse = z.object({
  checkpoint: Said(),
  entries: z.array(
    z.object({ index: z.number().int(), leafHash: Said(), proof: z.array(Said()), leafData: Encoded().optional(), payload: Encoded().optional() }),
  ),
  since: z.object({ checkpoint: Said(), proof: z.array(Said()) }).optional(),
});
export const VerifyBody = z
  .object({ workflowId: AuditWorkflowParams.shape.workflowId.optional(), since: TrustedCheckpointBody.optional() })
  .strict()
  .refine((body) => !(body.workflowId && body.since), { message: 'since checks the whole ledger: give it without workflowId', path: ['since'] });
export const ExportQuery = z.union([
  z.object({ format: z.enum(['csv', 'json']).default('json'), call: Id }).strict(),
  z.object({ format: z.enum(['csv', 'json']).default('json'), project: AuditWorkflowParams.shape.workflowId }).strict(),
]);

// Responses: the fields a client relies on are typed; the records inside a project stay open.
const Loose = z.object({}).loose();

export const CommandResult = z.object({ lifecycle: Said(), states: z.array(Said()), projectYear: z.number().int(), seq: z.number().int().optional() });
export const Deadline = z.object({ event: Said(), at: Said(), label: Said() });
export const ProjectViewResponse = z.object({
  workflowId: Said(),
  lifecycle: Said(),
  states: z.array(Said()),
  done: z.boolean(),
  overdue: z.boolean(),
  projectYear: z.number().int(),
  deadlines: z.array(Deadline),
  seq: z.number().int().optional(),
  context: z
    .object({
      projectId: Said(),
      callId: Said(),
      application: Loose,
      reviewers: z.array(Said()),
      reviews: z.array(z.object({ reviewerId: Said(), score: z.number(), recommendation: Said(), comments: Said(), at: Said() }).loose()),
      decision: Loose.nullable(),
    })
    .loose(),
});
export const TransitionLogResponse = z.array(
  z.object({
    seq: z.number().int(),
    at: Said(),
    actor: Actor,
    event: Said(),
    from: z.array(Said()),
    to: z.array(Said()),
  }),
);
export const OfferedResponse = z.object({ role: Role, events: z.array(Said()) });
export const OperationRecordResponse = z.object({
  operation: Said(),
  by: Actor,
  at: Said(),
  total: z.number().int(),
  applied: z.number().int(),
  skipped: z.array(z.object({ projectId: Said(), type: Said(), reason: Said() })),
  unreachable: z.array(z.object({ projectId: Said(), type: Said(), reason: Said() })).optional(),
});
export const CallViewResponse = z.object({
  callId: Said(),
  state: Said(),
  projects: z.array(z.object({ projectId: Said(), applicationId: Said(), institutionId: Said(), division: Said() }).loose()),
  rosters: z.array(Loose),
  assignments: z.record(Said(), z.array(Said())),
  rounds: z.array(Loose),
  invited: z.array(Said()),
  slots: z.record(Said(), Said()),
  operations: z.array(Loose),
  reviewerPool: z.array(Loose).optional(),
  amendments: z.array(z.object({ deadline: Said(), until: Said(), reason: Said(), by: Actor, at: Said() })).optional(),
});
export const ExhibitionResponse = z.object({
  projectYear: z.number().int(),
  chosen: z.array(z.object({ projectId: Said(), rank: z.number().int(), incomeNtd: z.number(), countedMembers: z.number().int().nullable() })),
  outcome: OperationRecordResponse.omit({ operation: true, by: true, at: true }),
});
export const CallSummary = z.object({ callId: Said(), state: Said(), rocYear: z.number().int().nullable(), startedAt: Said() });
export const ReviewRoundResponse = z.array(Loose);
export const RankingResponse = z.record(
  Said(),
  z.array(z.object({ rank: z.number().int(), applicationId: Said(), writtenAverage: z.number().nullable(), panelScore: z.number().nullable() }).loose()),
);
export const BulkProgressResponse = z.object({ done: z.number().int(), total: z.number().int() }).nullable();
export const ProjectRecordResponse = z.array(
  z
    .object({
      workflowId: Said(),
      callId: Said(),
      division: Said(),
      region: Said(),
      institution: Said(),
      state: Said(),
      projectYear: z.number(),
      overdue: z.boolean(),
    })
    .loose(),
);
export const MyWork = z.object({
  actor: Actor,
  principal: Principal,
  projects: z.array(z.object({ callId: Said(), projectId: Said(), applicationId: Said(), title: Said(), assignedToMe: z.boolean() })),
});
/** What is due from the person, soonest first (machines/todo.ts): the command that does it, the deadline it answers, when. */
export const TodoList = z.array(z.object({ projectId: Said(), command: Said(), deadline: Said(), due: Said() }));
/** A person's calendar feed: its secret address (whoever holds it reads their to-do list), and how to revoke it. */
export const CalendarFeed = z.object({ url: Said(), revokes: Said() });
export const CalendarRevoked = z.object({ revoked: z.literal(true) });
/** Your daily digest of reminders: chosen or not, and since when (null: never chosen). */
export const DigestChoice = z.object({ daily: z.boolean(), chosenAt: Said().nullable(), email: z.string().max(bounds.email) });
export const DigestChoiceBody = z.object({ daily: z.boolean({ error: 'expected daily: true or false' }) }).strict();
export const CalendarFeedQuery = z.object({ lang: z.enum(['zh-TW', 'en']).optional() }).strict();
export const NoticeResponse = z.array(
  z.object({
    workflowId: Said(),
    noticeId: Said(),
    kind: Said(),
    startedAt: Said(),
    status: Said(),
    detail: Said(),
    officeAlerted: z.boolean(),
  }),
);
export const LedgerEntriesResponse = z.array(
  z.object({ seq: z.number().int(), workflowId: Said(), entrySeq: z.number().int(), at: Said(), actor: Actor, event: Said(), hash: Said() }).loose(),
);
export const RawHistoryResponse = z.object({
  source: z.enum(['temporal', 'archive']),
  decoded: z.boolean(),
  runs: z.array(z.object({ runId: Said(), sha256: Said(), history: z.unknown() })),
});
export const QuarantineResponse = z.array(
  z.object({
    workflowId: Said(),
    chainId: Said(),
    entrySeq: z.number().int(),
    reason: z.literal('conflict'),
    detail: Said(),
    entry: Loose,
    at: Said(),
  }),
);
export const QuarantineQuery = z.object({ ...pageFields, workflowId: AuditWorkflowParams.shape.workflowId.optional() }).strict();
export const AlertsResponse = z.array(
  z.object({
    key: Said(),
    kind: z.enum(['ledgerQuarantine', 'ledgerGap', 'ledgerRewritten', 'noticeHeldUp', 'noticeUncertain']),
    subject: Said(),
    detail: Said(),
    at: Said(),
  }),
);
export const VerifyResponse = z.object({
  checked: z.number().int(),
  comparedWithTemporal: z.number().int(),
  broken: Loose.nullable(),
  ledger: Loose.optional(),
  /** The last checkpoint the writer published (the API signs none), which the consistency proof runs to. */
  checkpoint: Said().optional(),
  /** Leaves appended after it: not provable until the next checkpoint is published. */
  unpublished: z.number().int().optional(),
  /** Entries of people without a log-in (`via`): how many, and the first few. */
  withoutLogIn: Loose.optional(),
});
/** The last checkpoint the writer published, with the verifier key; `unpublished`: leaves appended since, not provable yet. */
export const CheckpointResponse = z.object({
  checkpoint: Said(),
  verifierKey: Said(),
  size: z.number().int(),
  root: Said(),
  publishedAt: Said().optional(),
  unpublished: z.number().int().optional(),
});
/** One payload as Temporal's JSON carries it (metadata values and data in base64): what the codec server takes and gives. */
const Base64 = z
  .string()
  .max(bounds.codecPayload, 'expected at most 4 MiB of base64')
  .regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'expected base64');
export const CodecPayloads = z
  .object({
    payloads: z
      .array(z.object({ metadata: z.record(z.string().max(bounds.name), Base64).optional(), data: Base64.optional() }).strict())
      .max(bounds.list, 'expected at most 1,000 payloads per request'),
  })
  .strict();
export type CodecPayloads = z.infer<typeof CodecPayloads>;
export const LoginInfo = z.object({ issuer: Said(), cliClientId: Said(), audience: Said() });
export const ServiceStatus = z.object({
  service: Said(),
  version: Said(),
  temporal: z.object({
    namespace: Said(),
    taskQueue: Said(),
    reachable: z.boolean(),
    serverVersion: Said().nullable(),
    workerPollers: z.number().int(),
  }),
  identityProvider: z.object({ issuer: Said(), reachable: z.boolean() }),
});
/** /livez and /readyz: alive, or ready with what was checked ("ok", or why not). */
export const Liveness = z.object({ status: z.literal('alive') });
export const Readiness = z.object({ status: z.enum(['ready', 'not ready']), checks: z.record(Said(), Said()) });
