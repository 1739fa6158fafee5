import type { Application, Investigator, PlannedMember, Qualification } from './application';
import type { ProgrammePolicy } from './policy';

/** Why a rule refused: a stable code for programs and a sentence a person can act on. */
export interface RuleViolation {
  code: RuleCode;
  message: string;
  /** Where in the input the problem is, e.g. `budget.0.personnel`. */
  path?: string;
}

export const ruleCodes = [
  'INELIGIBLE_INSTITUTION',
  'INELIGIBLE_INVESTIGATOR',
  'INVESTIGATOR_NOT_AT_INSTITUTION',
  'BUDGET_OVER_CAP',
  'BUDGET_CATEGORY_NOT_FUNDABLE',
  'BUDGET_YEARS_MISMATCH',
  'TOO_MANY_YEARS',
  'TOO_MANY_PHASES',
  'PHASE2_INCOME_TOO_LOW',
  'APPROVED_OVER_REQUESTED',
  'APPROVED_OVER_CAP',
  'APPROVED_YEARS_MISMATCH',
] as const;
export type RuleCode = (typeof ruleCodes)[number];

const ntd = (amount: number): string => `NT$${amount.toLocaleString('en-US')}`;

export function checkInstitution(application: Application): RuleViolation[] {
  const { type, name } = application.institution;
  if (type === 'universityOrCollege' || type === 'publicResearchInstitution') return [];
  return [
    {
      code: 'INELIGIBLE_INSTITUTION',
      path: 'institution.type',
      message: `${name} is a ${type}; only universities and colleges or public research institutions may apply — apply through an eligible institution.`,
    },
  ];
}

const RANK_ORDER = ['assistantResearchFellow', 'associateResearchFellow', 'researchFellow'] as const;

/** The reason a qualification falls short, or null when it meets the appendix. */
function qualificationShortfall(q: Qualification): string | null {
  switch (q.category) {
    case 'professor':
      return null;
    case 'lecturer':
      if (q.yearsOfService < 4) return `a lecturer needs at least 4 years' service (has ${q.yearsOfService})`;
      return q.hasPublicationsOrPatents ? null : 'a lecturer needs publications in well-known journals or patents/technical reports';
    case 'researchFellow':
      if (RANK_ORDER.indexOf(q.rank) >= 1) return null;
      return q.hasPhd ? null : 'an assistant research fellow qualifies only with a PhD';
    case 'attendingPhysician':
      if (q.yearsAsAttending < 2) return `an attending physician needs at least 2 years as attending (has ${q.yearsAsAttending})`;
      return q.hasPublications ? null : 'an attending physician needs publications';
    case 'mastersResearcher':
      if (q.yearsOfResearch < 4) return `a master's-degree holder needs at least 4 years of research work (has ${q.yearsOfResearch})`;
      return q.hasPublications ? null : "a master's-degree holder needs publications";
    case 'honouredRetiree':
      if (q.honour === 'other')
        return 'a retiree qualifies only with a national honour named in the appendix (academician, national chair, three-time outstanding research award)';
      return q.institutionProvidesSupport ? null : "a retiree's institution must provide space and handle administration";
    case 'scarceNuclearAerospace':
      return q.hasPhd && q.atPublicUniversity ? null : 'scarce nuclear/aerospace staff qualify only with a PhD at a public university';
    case 'nonEstablishmentHospitalStaff':
      if (!q.atPublicTeachingHospital) return 'non-establishment staff qualify only at a public teaching hospital';
      if (q.yearsOfService < 2) return `non-establishment staff need at least 2 years' service (has ${q.yearsOfService})`;
      return q.hasPublications ? null : 'non-establishment staff need publications';
    case 'other':
      return `"${q.description}" is not a qualification the appendix lists`;
  }
}

/** Which employments the appendix accepts for each qualification. */
function employmentShortfall(person: Investigator): string | null {
  const { category } = person.qualification;
  if (category === 'honouredRetiree') return person.employment === 'retired' ? null : 'the retiree route is for retired staff';
  if (category === 'nonEstablishmentHospitalStaff')
    return person.employment === 'nonEstablishment' ? null : 'the non-establishment route is for non-establishment staff';
  if (person.employment === 'fullTimeMonthly' || person.employment === 'endowmentFund') return null;
  return 'the PI and co-PIs must be full-time, monthly-paid staff of the applying institution';
}

export function checkInvestigator(person: Investigator, application: Application, path: string): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const reasons = [employmentShortfall(person), qualificationShortfall(person.qualification)].filter((r): r is string => r !== null);
  if (person.secondment === 'overseasGovernmentPost') reasons.push('staff seconded to a government overseas post may not apply');
  if (reasons.length > 0) {
    violations.push({
      code: 'INELIGIBLE_INVESTIGATOR',
      path,
      message: `${person.name} is not eligible: ${reasons.join('; ')}. Name an eligible investigator instead.`,
    });
  }
  if (person.institutionId !== application.institution.id && person.qualification.category !== 'honouredRetiree') {
    violations.push({
      code: 'INVESTIGATOR_NOT_AT_INSTITUTION',
      path: `${path}.institutionId`,
      message: `${person.name} belongs to ${person.institutionId}, not to the applying institution ${application.institution.id}; seconded staff apply through their home institution.`,
    });
  }
  return violations;
}

export function checkBudget(application: Application, policy: ProgrammePolicy): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const fundable = new Set(policy.fundableBudgetCategories);
  application.budget.forEach((year, index) => {
    const lines = {
      personnel: year.personnel,
      operatingExpenses: year.operatingExpenses,
      serviceEquipment: year.serviceEquipment,
      researchEquipment: year.researchEquipment,
    };
    const total = Object.values(lines).reduce((sum, amount) => sum + amount, 0);
    if (total > policy.yearlyCapNtd) {
      violations.push({
        code: 'BUDGET_OVER_CAP',
        path: `budget.${index}`,
        message: `Year ${year.year} asks for ${ntd(total)}, above the yearly cap of ${ntd(policy.yearlyCapNtd)}; reduce it by ${ntd(total - policy.yearlyCapNtd)}.`,
      });
    }
    for (const [category, amount] of Object.entries(lines)) {
      if (amount > 0 && !fundable.has(category as keyof typeof lines)) {
        violations.push({
          code: 'BUDGET_CATEGORY_NOT_FUNDABLE',
          path: `budget.${index}.${category}`,
          message: `Year ${year.year} has ${ntd(amount)} of ${category}, which this programme does not fund (it funds ${[...fundable].join(', ')}); remove the line.`,
        });
      }
    }
  });
  return violations;
}

export function checkPhaseAndYears(application: Application, policy: ProgrammePolicy): RuleViolation[] {
  const violations: RuleViolation[] = [];
  if (application.yearsRequested > policy.maxYearsPerPhase) {
    violations.push({
      code: 'TOO_MANY_YEARS',
      path: 'yearsRequested',
      message: `${application.yearsRequested} years requested; a phase lasts at most ${policy.maxYearsPerPhase} years.`,
    });
  }
  if (application.phase.phase > policy.maxPhases) {
    violations.push({
      code: 'TOO_MANY_PHASES',
      path: 'phase.phase',
      message: `Phase ${application.phase.phase} requested; a project has at most ${policy.maxPhases} phases.`,
    });
  }
  const years = application.budget.map((b) => b.year).join(',');
  const expected = Array.from({ length: application.yearsRequested }, (_, i) => i + 1).join(',');
  if (years !== expected) {
    violations.push({
      code: 'BUDGET_YEARS_MISMATCH',
      path: 'budget',
      message: `The budget covers years ${years || 'none'} but ${application.yearsRequested} years are requested; give one budget per year, years ${expected} in order.`,
    });
  }
  return violations;
}

/** Year-3 income (member fees + technology transfer + technical services + weighted project funding) must exceed the grant. */
export function phase2Income(application: Application, policy: ProgrammePolicy): number | null {
  if (application.phase.phase !== 2) return null;
  const income = application.phase.year3Income;
  return (
    income.memberFeesNtd +
    income.technologyTransferNtd +
    income.technicalServicesNtd +
    policy.phase2IndustryProjectFundingWeight * income.industryAcademiaProjectsNtd
  );
}

export function checkPhase2Income(application: Application, policy: ProgrammePolicy): RuleViolation[] {
  const income = phase2Income(application, policy);
  if (income === null || application.phase.phase !== 2) return [];
  const grant = application.phase.phase1Year3GrantNtd;
  if (income > grant) return [];
  return [
    {
      code: 'PHASE2_INCOME_TOO_LOW',
      path: 'phase.year3Income',
      message: `Year-3 income counts ${ntd(income)} (industry–academia project funding at ${policy.phase2IndustryProjectFundingWeight * 100} %), which does not exceed the phase-1 grant of ${ntd(grant)}; phase 2 needs more.`,
    },
  ];
}

/** Research institutes, schools and individuals do not count, except individuals in agriculture and cultural & creative industries. */
export function countsAsKpiMember(member: PlannedMember): boolean {
  if (member.sector === 'company') return true;
  if (member.sector === 'individual') return member.industry === 'agriculture' || member.industry === 'culturalCreative';
  return false;
}

export function countKpiMembers(members: readonly PlannedMember[]): number {
  return members.filter(countsAsKpiMember).length;
}

/** Every problem of an application at once, so the PI can fix them in one go. */
export function checkApplication(application: Application, policy: ProgrammePolicy): RuleViolation[] {
  return [
    ...checkInstitution(application),
    ...checkInvestigator(application.pi, application, 'pi'),
    ...application.coPis.flatMap((coPi, i) => checkInvestigator(coPi, application, `coPis.${i}`)),
    ...checkBudget(application, policy),
    ...checkPhaseAndYears(application, policy),
    ...checkPhase2Income(application, policy),
  ];
}

export function requestedTotal(application: Application, year: number): number {
  const b = application.budget.find((y) => y.year === year);
  return b ? b.personnel + b.operatingExpenses + b.serviceEquipment + b.researchEquipment : 0;
}

/** An approved amount per year must be ≤ what was requested and ≤ the cap. */
export function checkApprovedAmounts(amountsNtd: readonly number[], application: Application, policy: ProgrammePolicy): RuleViolation[] {
  const violations: RuleViolation[] = [];
  if (amountsNtd.length !== application.yearsRequested) {
    violations.push({
      code: 'APPROVED_YEARS_MISMATCH',
      path: 'amountsNtd',
      message: `${amountsNtd.length} yearly amounts given for a ${application.yearsRequested}-year project; give one per year.`,
    });
  }
  amountsNtd.forEach((amount, index) => {
    const year = index + 1;
    const requested = requestedTotal(application, year);
    if (amount > requested) {
      violations.push({
        code: 'APPROVED_OVER_REQUESTED',
        path: `amountsNtd.${index}`,
        message: `Year ${year}: ${ntd(amount)} approved but only ${ntd(requested)} requested.`,
      });
    }
    if (amount > policy.yearlyCapNtd) {
      violations.push({
        code: 'APPROVED_OVER_CAP',
        path: `amountsNtd.${index}`,
        message: `Year ${year}: ${ntd(amount)} approved, above the yearly cap of ${ntd(policy.yearlyCapNtd)}.`,
      });
    }
  });
  return violations;
}

/** Basis points of a share given as a fraction in the policy (0.7 → 7,000): whole numbers, so money is never compared in floating point. */
export const basisPoints = (share: number): number => Math.round(share * 10_000);

/**
 * The most one tranche may take of a year's approved amount, in whole NT$. Its share is taken in
 * basis points of the approval; the first tranche's is rounded down and the last tranche's up, so
 * the remainder of a division goes to the last tranche and shares that add to 100 % pay the whole
 * approval (70 % of NT$2,700,000 is NT$1,890,000 exactly; 50 % of NT$2,000,001 is NT$1,000,000 in
 * the first tranche and NT$1,000,001 in the second).
 */
export function trancheCapNtd(approvedNtd: number, maxShares: readonly number[], tranche: number): number {
  const scaled = basisPoints(maxShares[tranche]!) * approvedNtd;
  return tranche === maxShares.length - 1 ? Math.ceil(scaled / 10_000) : Math.floor(scaled / 10_000);
}
