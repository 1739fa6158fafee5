// Examples for the OpenAPI document, kept apart from the schemas they illustrate: registered on
// zod's global registry, which the document's generator reads (server/openapi.ts imports this).
import { z } from 'zod';
import {
  AuditWorkflowParams,
  CheckpointResponse,
  CommandResult,
  DocumentKindParams,
  DocumentParams,
  DocumentUploadQuery,
  Id,
  Liveness,
  LoginInfo,
  MyWork,
  CalendarFeed,
  CalendarRevoked,
  DigestChoice,
  DigestChoiceBody,
  TodoList,
  OpenCallBody,
  pageFields,
  Problem,
  ProofsBody,
  Readiness,
  ServiceStatus,
  VerifyBody,
} from './api';

z.globalRegistry.add(Problem, {
  id: 'Problem',
  examples: [
    {
      type: 'urn:alliance:problem:illegal_transition',
      title: 'Not possible now',
      status: 409,
      code: 'ILLEGAL_TRANSITION',
      detail: 'tranche.request was refused: the project is in contract.pending, which does not accept it; sign the contract first.',
      details: [],
    },
  ],
});

const examples: [z.ZodType, unknown[]][] = [
  [Id, ['alliance-105', 'TE2-0001']],
  [DocumentKindParams.shape.kind, ['proposal', 'institutionLetter']],
  [DocumentParams.shape.digest, [`sha256:${'5d'.repeat(32)}`]],
  [DocumentUploadQuery.shape.name, ['計畫書-TE2-0001.pdf']],
  [pageFields.limit, [100]],
  [AuditWorkflowParams.shape.workflowId, ['project:alliance-105:TE2-0001', 'call:alliance-105']],
  [CommandResult, [{ lifecycle: 'execution', states: ['execution.year.tranches.firstRequested'], projectYear: 1, seq: 14 }]],
  [
    CheckpointResponse,
    [
      {
        checkpoint: 'alliance.nstc.gov.tw/ledger\n1024\nq0Zx…=\n\n— alliance.nstc.gov.tw/ledger 3a9f…\n',
        verifierKey: 'alliance.nstc.gov.tw/ledger+3a9f0b12+AUc…',
        size: 1024,
        root: 'q0Zx…=',
      },
    ],
  ],
  [VerifyBody, [{ workflowId: 'project:alliance-105:TE2-0001' }, {}]],
  // The whole body's example is dropped by zod's JSON Schema (the call's schema transforms): its reviewer pool carries one.
  [
    OpenCallBody.shape.reviewerPool,
    [
      [
        {
          id: 'rev-te2-01',
          name: '陳審查',
          email: 'chen@nthu.edu.tw',
          institutionId: 'nthu',
          divisions: ['TE2'],
          conflicts: { applicationIds: [], institutionIds: [] },
        },
      ],
    ],
  ],
  [
    MyWork,
    [
      {
        actor: { role: 'pi', id: 'pi-lin' },
        principal: { issuer: 'https://login.nstc.gov.tw/realms/alliance', subject: '3f9c2d7e-5b1a-4c8e-9d2f-6a7b8c9d0e1f' },
        projects: [
          { callId: 'alliance-105', projectId: 'project:alliance-105:TE2-0001', applicationId: 'TE2-0001', title: '5G 邊緣運算產業聯盟', assignedToMe: false },
        ],
      },
    ],
  ],
  [TodoList, [[{ projectId: 'project:alliance-105:TE2-0001', command: 'review.record', deadline: 'deadline.writtenReview', due: '2016-10-20T09:00:00.000Z' }]]],
  [CalendarFeed, [{ url: 'https://alliance.nstc.gov.tw/calendar/Qm9vay1rZWVwaW5nLXNlY3JldC1vZi00My1jaGFyYWN0ZXJz.ics', revokes: 'DELETE /api/me/calendar' }]],
  [CalendarRevoked, [{ revoked: true }]],
  [DigestChoice, [{ daily: true, chosenAt: '2026-12-07T01:00:00.000Z', email: 'lin@ntu.edu.tw' }]],
  [DigestChoiceBody, [{ daily: true }]],
  [LoginInfo, [{ issuer: 'https://login.nstc.gov.tw/realms/alliance', cliClientId: 'alliance-cli', audience: 'alliance-api' }]],
  [Liveness, [{ status: 'alive' }]],
  [
    Readiness,
    [
      { status: 'ready', checks: { temporal: 'ok', ledger: 'ok', worker: 'ok' } },
      { status: 'not ready', checks: { temporal: 'down: no answer within 3 s', ledger: 'ok' } },
    ],
  ],
  [
    ServiceStatus,
    [
      {
        service: 'alliance-orchestrator',
        version: '0.1.0',
        temporal: { namespace: 'default', taskQueue: 'alliance', reachable: true, serverVersion: '1.32.0', workerPollers: 2 },
        identityProvider: { issuer: 'https://login.nstc.gov.tw/realms/alliance', reachable: true },
      },
    ],
  ],
  [ProofsBody, [{ entries: [1, 2, 3] }, { workflowId: 'project:alliance-105:TE2-0001' }]],
];
for (const [schema, shown] of examples) z.globalRegistry.add(schema, { examples: shown });
