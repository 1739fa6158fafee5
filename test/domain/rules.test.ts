import { alliance105 } from '../../domain/calls';
import type { Investigator, Qualification } from '../../domain/application';
import {
  checkApplication,
  checkApprovedAmounts,
  checkBudget,
  checkInstitution,
  checkInvestigator,
  checkPhase2Income,
  checkPhaseAndYears,
  countKpiMembers,
  ruleCodes,
} from '../../domain/rules';
import { anApplication } from '../fixtures/applications';

const policy = alliance105.policy;
const codes = (violations: { code: string }[]) => violations.map((v) => v.code);

const withPi = (qualification: Qualification, extra: Partial<Investigator> = {}) => {
  const application = anApplication();
  return anApplication({ pi: { ...application.pi, qualification, ...extra } });
};

describe('eligible institutions', () => {
  it.each(['universityOrCollege', 'publicResearchInstitution'] as const)('accepts a %s', (type) => {
    expect(checkInstitution(anApplication({ institution: { id: 'NTU', name: 'X', type, researchOfficeEmail: 'rd@ntu.edu.tw' } }))).toEqual([]);
  });
  it.each(['company', 'privateResearchInstitution', 'teachingHospital'] as const)('refuses a %s', (type) => {
    expect(codes(checkInstitution(anApplication({ institution: { id: 'NTU', name: 'X', type, researchOfficeEmail: 'rd@ntu.edu.tw' } })))).toEqual([
      'INELIGIBLE_INSTITUTION',
    ]);
  });
});

describe('eligible PIs and co-PIs', () => {
  const eligible: Qualification[] = [
    { category: 'professor', rank: 'assistantProfessor' },
    { category: 'lecturer', yearsOfService: 4, hasPublicationsOrPatents: true },
    { category: 'researchFellow', rank: 'assistantResearchFellow', hasPhd: true },
    { category: 'researchFellow', rank: 'associateResearchFellow', hasPhd: false },
    { category: 'attendingPhysician', yearsAsAttending: 2, hasPublications: true },
    { category: 'mastersResearcher', yearsOfResearch: 4, hasPublications: true },
    { category: 'scarceNuclearAerospace', hasPhd: true, atPublicUniversity: true },
  ];
  it.each(eligible.map((q) => [JSON.stringify(q), q] as const))('accepts %s', (_, q) => {
    const application = withPi(q);
    expect(checkInvestigator(application.pi, application, 'pi')).toEqual([]);
  });

  const ineligible: [string, Qualification][] = [
    ['a lecturer with two years of service', { category: 'lecturer', yearsOfService: 2, hasPublicationsOrPatents: true }],
    ['an assistant research fellow without a PhD', { category: 'researchFellow', rank: 'assistantResearchFellow', hasPhd: false }],
    ['an attending physician of one year', { category: 'attendingPhysician', yearsAsAttending: 1, hasPublications: true }],
    ["a master's holder without publications", { category: 'mastersResearcher', yearsOfResearch: 6, hasPublications: false }],
    ['an unlisted qualification', { category: 'other', description: 'adjunct' }],
  ];
  it.each(ineligible)('refuses %s', (_, q) => {
    const application = withPi(q);
    const violations = checkInvestigator(application.pi, application, 'pi');
    expect(codes(violations)).toEqual(['INELIGIBLE_INVESTIGATOR']);
    expect(violations[0]!.message).toContain(application.pi.name);
  });

  it('refuses part-time staff, and staff seconded to an overseas government post', () => {
    const partTime = withPi({ category: 'professor', rank: 'professor' }, { employment: 'partTime' });
    expect(codes(checkInvestigator(partTime.pi, partTime, 'pi'))).toEqual(['INELIGIBLE_INVESTIGATOR']);
    const overseas = withPi({ category: 'professor', rank: 'professor' }, { secondment: 'overseasGovernmentPost' });
    expect(checkInvestigator(overseas.pi, overseas, 'pi')[0]!.message).toMatch(/overseas post/);
  });

  it('accepts honoured retirees only with institutional support, and refuses an investigator of another institution', () => {
    const retiree = withPi({ category: 'honouredRetiree', honour: 'academician', institutionProvidesSupport: true }, { employment: 'retired' });
    expect(checkInvestigator(retiree.pi, retiree, 'pi')).toEqual([]);
    const unsupported = withPi({ category: 'honouredRetiree', honour: 'academician', institutionProvidesSupport: false }, { employment: 'retired' });
    expect(codes(checkInvestigator(unsupported.pi, unsupported, 'pi'))).toEqual(['INELIGIBLE_INVESTIGATOR']);
    const elsewhere = withPi({ category: 'professor', rank: 'professor' }, { institutionId: 'NCKU' });
    expect(codes(checkInvestigator(elsewhere.pi, elsewhere, 'pi'))).toEqual(['INVESTIGATOR_NOT_AT_INSTITUTION']);
  });
});

describe('budget', () => {
  it('accepts exactly the cap in fundable categories', () => {
    const atCap = anApplication({ budget: [1, 2, 3].map((year) => ({ year, personnel: 2_000_000, operatingExpenses: 900_000, serviceEquipment: 100_000 })) });
    expect(checkBudget(atCap, policy)).toEqual([]);
  });
  it('refuses a year above NT$3,000,000 and says by how much', () => {
    const over = anApplication({
      budget: [1, 2, 3].map((year) => ({ year, personnel: 2_000_000, operatingExpenses: year === 2 ? 1_500_000 : 0, serviceEquipment: 0 })),
    });
    const violations = checkBudget(over, policy);
    expect(codes(violations)).toEqual(['BUDGET_OVER_CAP']);
    expect(violations[0]!.message).toBe('Year 2 asks for NT$3,500,000, above the yearly cap of NT$3,000,000; reduce it by NT$500,000.');
  });
  it('refuses research equipment', () => {
    const application = anApplication({
      budget: [1, 2, 3].map((year) => ({ year, personnel: 1, operatingExpenses: 1, serviceEquipment: 1, researchEquipment: year === 1 ? 400_000 : 0 })),
    });
    expect(checkBudget(application, policy)).toEqual([expect.objectContaining({ code: 'BUDGET_CATEGORY_NOT_FUNDABLE', path: 'budget.0.researchEquipment' })]);
  });
});

describe('phase and year limits', () => {
  it('refuses more years than a phase allows and a budget that does not match the years', () => {
    const four = anApplication({ yearsRequested: 4 });
    expect(codes(checkPhaseAndYears(four, policy))).toEqual(['TOO_MANY_YEARS', 'BUDGET_YEARS_MISMATCH']);
    expect(checkPhaseAndYears(anApplication(), policy)).toEqual([]);
  });
  it('refuses a second phase where the policy allows one', () => {
    const phase2 = anApplication({
      phase: {
        phase: 2,
        phase1ProjectId: 'alliance-102-TE2-0001',
        phase1Year3GrantNtd: 1,
        year3Income: { memberFeesNtd: 2, technologyTransferNtd: 0, technicalServicesNtd: 0, industryAcademiaProjectsNtd: 0 },
      },
    });
    expect(codes(checkPhaseAndYears(phase2, { ...policy, maxPhases: 1 }))).toEqual(['TOO_MANY_PHASES']);
    expect(checkPhaseAndYears(phase2, policy)).toEqual([]);
  });
});

describe('the phase-2 income rule', () => {
  const phase2 = (income: number, projects: number) =>
    anApplication({
      phase: {
        phase: 2,
        phase1ProjectId: 'alliance-102-TE2-0001',
        phase1Year3GrantNtd: 2_000_000,
        year3Income: { memberFeesNtd: income, technologyTransferNtd: 0, technicalServicesNtd: 0, industryAcademiaProjectsNtd: projects },
      },
    });
  it('accepts income above the grant, counting project funding at 50 %', () => {
    expect(checkPhase2Income(phase2(1_500_001, 1_000_000), policy)).toEqual([]);
  });
  it('refuses income equal to the grant', () => {
    expect(codes(checkPhase2Income(phase2(1_500_000, 1_000_000), policy))).toEqual(['PHASE2_INCOME_TOO_LOW']);
  });
  it('does not apply to phase 1', () => expect(checkPhase2Income(anApplication(), policy)).toEqual([]));
});

describe('KPI member counting', () => {
  it('counts companies, and individuals only in agriculture and cultural & creative industries', () => {
    expect(
      countKpiMembers([
        { name: 'a', sector: 'company', industry: 'other', annualFeeNtd: 1 },
        { name: 'b', sector: 'researchInstitute', industry: 'other', annualFeeNtd: 1 },
        { name: 'c', sector: 'school', industry: 'agriculture', annualFeeNtd: 1 },
        { name: 'd', sector: 'individual', industry: 'other', annualFeeNtd: 1 },
        { name: 'e', sector: 'individual', industry: 'agriculture', annualFeeNtd: 1 },
        { name: 'f', sector: 'individual', industry: 'culturalCreative', annualFeeNtd: 1 },
      ]),
    ).toBe(3);
  });
});

describe('approved amounts', () => {
  it('accepts amounts within request and cap', () => {
    expect(checkApprovedAmounts([2_000_000, 2_000_000, 1_500_000], anApplication(), policy)).toEqual([]);
  });
  it('refuses more than requested, more than the cap, and the wrong number of years', () => {
    expect(codes(checkApprovedAmounts([2_000_001, 2_000_000, 2_000_000], anApplication(), policy))).toEqual(['APPROVED_OVER_REQUESTED']);
    expect(
      codes(
        checkApprovedAmounts(
          [3_100_000, 1, 1],
          anApplication({ budget: [1, 2, 3].map((year) => ({ year, personnel: 3_200_000, operatingExpenses: 0, serviceEquipment: 0 })) }),
          policy,
        ),
      ),
    ).toEqual(['APPROVED_OVER_CAP']);
    expect(codes(checkApprovedAmounts([1], anApplication(), policy))).toEqual(['APPROVED_YEARS_MISMATCH']);
  });
});

describe('a bad application', () => {
  it('gets one coded reason per problem, all at once', () => {
    const base = anApplication();
    const bad = anApplication({
      pi: { ...base.pi, qualification: { category: 'lecturer', yearsOfService: 2, hasPublicationsOrPatents: true } },
      budget: [
        { year: 1, personnel: 2_500_000, operatingExpenses: 1_000_000, serviceEquipment: 0 },
        { year: 2, personnel: 1_000_000, operatingExpenses: 0, serviceEquipment: 0, researchEquipment: 300_000 },
        { year: 3, personnel: 1_000_000, operatingExpenses: 0, serviceEquipment: 0 },
      ],
    });
    const violations = checkApplication(bad, policy);
    expect(codes(violations)).toEqual(['INELIGIBLE_INVESTIGATOR', 'BUDGET_OVER_CAP', 'BUDGET_CATEGORY_NOT_FUNDABLE']);
    for (const v of violations) expect(ruleCodes).toContain(v.code);
    expect(checkApplication(base, policy)).toEqual([]);
  });
});
