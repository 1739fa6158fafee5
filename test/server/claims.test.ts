import { actorFromClaims } from '../../server/authentication';

const defaults = { roleClaim: 'alliance_role', idClaim: 'alliance_id' };
const token = { iss: 'https://login.example', sub: 'subject-1', sid: 'session-1' };

describe('claim mapping: the actor comes from the token alone', () => {
  it('takes the role and id from the configured claims, with who authenticated', () => {
    expect(actorFromClaims({ ...token, alliance_role: 'pi', alliance_id: 'pi-lin' }, defaults)).toEqual({
      role: 'pi',
      id: 'pi-lin',
      via: { issuer: 'https://login.example', subject: 'subject-1', session: 'session-1' },
    });
  });

  it('reads dotted paths and arrays (realm roles), ignoring roles the programme does not know', () => {
    const settings = { roleClaim: 'realm_access.roles', idClaim: 'ids.programme' };
    expect(actorFromClaims({ ...token, realm_access: { roles: ['offline_access', 'reviewer'] }, ids: { programme: 'rev-te2-01' } }, settings)).toMatchObject({
      role: 'reviewer',
      id: 'rev-te2-01',
    });
  });

  it("with a mapping, accepts only the provider's spelling: a provider role that happens to be named office is not the office", () => {
    const settings = { ...defaults, roleClaim: 'roles', roleValues: { office: 'MOST-OFFICE', pi: 'PI' } };
    expect(actorFromClaims({ ...token, roles: ['MOST-OFFICE'], alliance_id: 'office-kao' }, settings)).toMatchObject({ role: 'office' });
    expect(() => actorFromClaims({ ...token, roles: ['office'], alliance_id: 'x' }, settings)).toThrow(/no programme role/);
  });

  it('refuses a token with two programme roles, with none, with system, or without an id', () => {
    expect(() => actorFromClaims({ ...token, alliance_role: ['pi', 'reviewer'], alliance_id: 'x' }, defaults)).toThrow(/more than one programme role/);
    expect(() => actorFromClaims({ ...token, alliance_id: 'x' }, defaults)).toThrow(/no programme role/);
    expect(() => actorFromClaims({ ...token, alliance_role: 'system', alliance_id: 'deadline-timer' }, defaults)).toThrow(/no programme role/);
    expect(() => actorFromClaims({ ...token, alliance_role: 'office' }, defaults)).toThrow(/or id/);
  });
});
