import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NewApplication } from '../domain/application';
import { alliance105 } from '../domain/calls';
import { ReviewerPool } from '../domain/reviewers';
import { checkApplication } from '../domain/rules';
import { RosterBody } from '../domain/api';
import { demoAccounts } from '../scripts/realm-users';

const examples = path.resolve(__dirname, '../examples');
const read = (file: string): unknown => JSON.parse(readFileSync(path.join(examples, file), 'utf8'));
const applications = readdirSync(path.join(examples, 'applications')).map((f) => ({ file: f, application: NewApplication.parse(read(`applications/${f}`)) }));
const accounts = new Set(demoAccounts().map((a) => `${a.role}:${a.id}`));

describe('examples/: the files the README and the tests use', () => {
  it('holds applications of every division, new and phase 2, each valid and eligible under the 105 policy', () => {
    for (const { file, application } of applications) {
      expect({ file, problems: checkApplication(application, alliance105.policy) }).toEqual({ file, problems: [] });
      expect(file.startsWith(application.id)).toBe(true);
    }
    expect(new Set(applications.map((a) => a.application.division))).toEqual(new Set(['TE1', 'TE2', 'TE3', 'TE4', 'TE5', 'TB1', 'TS1', 'TM1']));
    expect(new Set(applications.map((a) => a.application.phase.phase))).toEqual(new Set([1, 2]));
  });

  it('names people who can log in to the embedded realm: every PI, and every reviewer of the pool', () => {
    for (const { application } of applications) expect(accounts).toContain(`pi:${application.pi.id}`);
    const pool = ReviewerPool.parse(read('reviewers.json'));
    for (const reviewer of pool) expect(accounts).toContain(`reviewer:${reviewer.id}`);
    // Exactly the 105 policy's number of TE2 reviewers, none conflicted with NTU: the tour's assignment is known in advance.
    expect(
      pool.filter((r) => r.divisions.includes('TE2') && r.institutionId !== 'NTU' && !r.conflicts.institutionIds.includes('NTU')).map((r) => r.id),
    ).toHaveLength(alliance105.policy.reviewersPerApplication);
  });

  it("holds a roster of NTU's own applicants with its letter", () => {
    const roster = RosterBody.parse(read('roster-NTU.json'));
    for (const id of roster.applicationIds) expect(applications.find((a) => a.application.id === id)?.application.institution.id).toBe('NTU');
  });
});
