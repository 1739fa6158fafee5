import { readFileSync } from 'node:fs';
import path from 'node:path';
import { demoAccounts, keycloakUser } from '../scripts/realm-users';

it('identity/alliance-realm.json seeds exactly the demo accounts (run `make realm` after changing them)', () => {
  const realm = JSON.parse(readFileSync(path.resolve(__dirname, '../identity/alliance-realm.json'), 'utf8')) as { users: unknown[] };
  expect(realm.users).toEqual(demoAccounts().map(keycloakUser));
  const roles = new Set(demoAccounts().map((a) => a.role));
  expect([...roles].sort()).toEqual(['auditor', 'institution', 'office', 'pi', 'reviewer']);
});
