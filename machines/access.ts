import { isPerson, type Actor, type Role } from '../domain/actor';

/** A refusal of the door's own questions, coded as the workflow's refusals are. */
export interface AccessRefusal {
  code: 'ROLE_NOT_ALLOWED';
  message: string;
}

/** Who may do what outside any one workflow: open a call, read the audit trail and the notices. */
export const accessRoles = {
  'call.open': ['office'],
  'audit.read': ['office', 'auditor'],
  'notices.read': ['office', 'auditor'],
  /** The office's alerts: held-up mail, quarantined or missing ledger entries. */
  'alerts.read': ['office', 'auditor'],
  'projects.search': ['office', 'auditor', 'institution'],
  /** A call's spreadsheets (applications, ranking, decisions, payments, overdue reports) show every project of it. */
  'call.sheets': ['office', 'auditor'],
  /** Bulk operations are the office's and, for rosters, the institutions'. */
  'call.progress': ['office', 'auditor', 'institution'],
  /** The operations over a whole call (review rounds, invitations, schedule, decisions, announcement) are the office's. */
  'call.operate': ['office'],
  /** An institution endorses its own applicants in a roster. */
  'call.roster': ['institution'],
  /** The codec server: reading Temporal's encrypted payloads (the Web UI) is for who may read every project. */
  'payloads.decode': ['office', 'auditor'],
  /**
   * Encrypting payloads for Temporal is no person's: a sealed payload is the service's mark (a command
   * sealed by hand, with an actor and a log-in of its writer's choosing, would pass every validator),
   * so people command through the API and the Web UI only reads.
   */
  'payloads.encode': [],
} as const satisfies Record<string, readonly Role[]>;
export type Access = keyof typeof accessRoles;

const what: Record<Access, string> = {
  'call.open': 'Opening a call',
  'audit.read': 'The audit trail',
  'notices.read': 'The notice log',
  'alerts.read': "The office's alerts",
  'projects.search': 'Searching all projects',
  'call.sheets': "A call's spreadsheets",
  'call.progress': 'The progress of a bulk operation',
  'call.operate': 'An operation over a whole call',
  'call.roster': 'A roster of endorsed applications',
  'payloads.decode': "Decoding Temporal's payloads",
  'payloads.encode': 'Encoding payloads for Temporal',
};

/**
 * Whose projects a search may return: an institution its own, whatever it asked for; the office and
 * auditors any institution's, or all. Asked of the law like every other access.
 */
export function searchedInstitution(actor: Actor, asked: string | undefined): string | undefined {
  return actor.role === 'institution' ? actor.id : asked;
}

/** Where a person refused goes instead. */
const instead: Partial<Record<Access, string>> = {
  'projects.search': ' PIs and reviewers find their projects at /api/me.',
  'payloads.encode': ' People command through the API (or the pages and the command line, its clients); Temporal’s Web UI only reads.',
};

/** Null when the actor may; otherwise why not, in words a person can act on. */
export function checkAccess(access: Access, actor: Actor): AccessRefusal | null {
  const roles: readonly Role[] = accessRoles[access];
  if (roles.includes(actor.role)) return null;
  const whose = roles.length > 0 ? `is for ${roles.join(' and ')} only` : 'is for no one but the service itself';
  return { code: 'ROLE_NOT_ALLOWED', message: `${what[access]} ${whose}, not for ${actor.role} ${actor.id}.${instead[access] ?? ''}` };
}

/**
 * Who authenticated a person's command. A person (office, PI, institution, reviewer) acts through the
 * service's door, which sets `via` from the provider's verified token, or the service acts for them
 * and names itself there (`servicePrincipal`); a command of a person without it came around the door,
 * and is refused by every project and call validator before it enters history. The project's timers
 * (`system`) need none. Asked only of commands from outside: histories recorded before it replay.
 */
export function logInProblem(what: string, actor: Actor): string | null {
  return isPerson(actor.role) && !actor.via
    ? `${what} was refused: ${actor.role} ${actor.id} carries no log-in; a person's command must carry who authenticated them (via): send it through the service's API.`
    : null;
}

/**
 * What a route of the API declares it is for: one of the accesses above, or `signedIn` — anyone
 * logged in, the law's views and judges then deciding what they see and may do.
 */
export type RouteAccess = Access | 'signedIn';
