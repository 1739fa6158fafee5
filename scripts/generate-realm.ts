/** `make realm`: writes the seeded accounts into identity/alliance-realm.json. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { demoAccounts, keycloakUser } from './realm-users';

const target = path.resolve(__dirname, '../../identity/alliance-realm.json');
const realm = JSON.parse(readFileSync(target, 'utf8')) as Record<string, unknown>;
realm.users = demoAccounts().map(keycloakUser);
writeFileSync(target, `${JSON.stringify(realm, null, 2)}\n`);
console.log(`wrote ${target}: ${(realm.users as unknown[]).length} accounts`);
