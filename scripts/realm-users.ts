import { generateCohort, generateReviewerPool } from '../client/cohort';

import { DEMO_PASSWORD } from '../domain/demo-accounts';

export { DEMO_PASSWORD };

export interface DemoAccount {
  username: string;
  role: 'office' | 'pi' | 'institution' | 'reviewer' | 'auditor';
  /** The programme id the law acts on: a person, an institution or a reviewer. */
  id: string;
  name: string;
  email: string;
}

/** The accounts the README lists, besides those of the demo cohort. */
const named: DemoAccount[] = [
  { username: 'kao', role: 'office', id: 'office-kao', name: '高 計畫辦公室', email: 'kao@most.gov.tw' },
  { username: 'wu', role: 'auditor', id: 'auditor-wu', name: '吳 稽核', email: 'wu@audit.gov.tw' },
  { username: 'pi-lin', role: 'pi', id: 'pi-lin', name: '林志明', email: 'lin@ntu.edu.tw' },
  { username: 'pi-chen', role: 'pi', id: 'pi-chen', name: '陳美玲', email: 'chen@ncku.edu.tw' },
  { username: 'ntu-rd', role: 'institution', id: 'NTU', name: '國立臺灣大學研發處', email: 'rd@ntu.edu.tw' },
  { username: 'ncku-rd', role: 'institution', id: 'NCKU', name: '國立成功大學研發處', email: 'rd@ncku.edu.tw' },
];

/**
 * The seeded accounts of the embedded realm: the named ones and every PI, research office and
 * reviewer of the demo's 105 cohort (seed 105), so `alliance demo` acts through the door as them.
 */
export function demoAccounts(seed = 105): DemoAccount[] {
  const accounts = new Map<string, DemoAccount>(named.map((a) => [a.username, a]));
  for (const application of generateCohort(seed)) {
    const pi = application.pi;
    accounts.set(pi.id, { username: pi.id, role: 'pi', id: pi.id, name: pi.name, email: pi.email });
    const institution = application.institution;
    const username = `${institution.id.toLowerCase()}-rd`;
    if (!accounts.has(username))
      accounts.set(username, { username, role: 'institution', id: institution.id, name: `${institution.name}研發處`, email: institution.researchOfficeEmail! });
  }
  for (const reviewer of generateReviewerPool(seed)) {
    accounts.set(reviewer.id, { username: reviewer.id, role: 'reviewer', id: reviewer.id, name: reviewer.name, email: reviewer.email });
  }
  return [...accounts.values()];
}

/** A Keycloak user representation of one account. */
export function keycloakUser(account: DemoAccount): Record<string, unknown> {
  return {
    username: account.username,
    enabled: true,
    emailVerified: true,
    firstName: account.name,
    lastName: account.role,
    email: account.email,
    attributes: { alliance_role: [account.role], alliance_id: [account.id] },
    credentials: [{ type: 'password', value: DEMO_PASSWORD, temporary: false }],
  };
}
