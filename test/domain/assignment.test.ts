import { mayReview, planAssignments } from '../../domain/assignment';
import { Application } from '../../domain/application';
import { generateCohort, generateReviewerPool } from '../../client/cohort';

const cohort = generateCohort(105).map((a) => Application.parse(a));
const pool = generateReviewerPool(105);
const toReview = cohort.map((a) => ({ applicationId: a.id, division: a.division, institutionId: a.institution.id }));

describe('reviewer assignment', () => {
  const plan = planAssignments(toReview, pool, 3);

  it('gives every application three reviewers of its division, none from its institution or in conflict', () => {
    expect(plan.shortfalls).toEqual([]);
    for (const application of toReview) {
      const ids = plan.assignments[application.applicationId]!;
      expect(new Set(ids).size).toBe(3);
      for (const id of ids)
        expect(
          mayReview(
            pool.find((r) => r.id === id)!,
            application,
          ),
        ).toBe(true);
    }
  });

  it('gives no reviewer more than one review above the even share of their division', () => {
    for (const division of new Set(toReview.map((a) => a.division))) {
      const reviewers = pool.filter((r) => r.divisions.includes(division));
      const reviews = toReview.filter((a) => a.division === division).length * 3;
      const share = Math.ceil(reviews / reviewers.length);
      for (const r of reviewers) {
        const load = Object.values(plan.assignments).filter((ids) => ids.includes(r.id)).length;
        expect(load).toBeLessThanOrEqual(share + 1);
      }
    }
  });

  it('changes nothing when planned again over its own result', () => {
    expect(planAssignments(toReview, pool, 3, plan.assignments)).toEqual(plan);
  });

  it('reports an application that cannot get enough eligible reviewers', () => {
    const lonely = [{ applicationId: 'TM1-999', division: 'TM1' as const, institutionId: 'NTU' }];
    const onlyOwn = pool.filter((r) => r.divisions.includes('TM1')).map((r) => ({ ...r, institutionId: 'NTU' }));
    expect(planAssignments(lonely, onlyOwn, 3).shortfalls).toEqual([{ applicationId: 'TM1-999', needed: 3, eligible: 0 }]);
  });

  it('generates the same cohort from the same seed, 91 applications over 8 divisions and 3 regions', () => {
    expect(generateCohort(105)).toEqual(generateCohort(105));
    expect(cohort).toHaveLength(91);
    expect(new Set(cohort.map((a) => a.division)).size).toBe(8);
    expect(cohort.filter((a) => a.region === 'north')).toHaveLength(39);
  });
});
