import { z } from 'zod';
import { atMost, bounds, IdText, LongText, NameText, TitleText } from './bounds';

export const Division = z.enum(['TE1', 'TE2', 'TE3', 'TE4', 'TE5', 'TB1', 'TS1', 'TM1']);
export type Division = z.infer<typeof Division>;

/** The deck's statistics regions; east and the outlying islands other than Penghu are an assumption. */
export const Region = z.enum(['north', 'central', 'south', 'eastAndIslands']);
export type Region = z.infer<typeof Region>;

/** Only universities/colleges and public research institutions may apply; the rest are refused by the rules. */
export const InstitutionType = z.enum([
  'universityOrCollege',
  'publicResearchInstitution',
  'privateResearchInstitution',
  'teachingHospital',
  'company',
  'other',
]);
export type InstitutionType = z.infer<typeof InstitutionType>;

export const Institution = z
  .object({
    id: IdText().min(1),
    name: NameText().min(1),
    type: InstitutionType,
    /**
     * The research office (研發處) that endorses applications and receives the institution's
     * notices. Required of every new application (`NewApplication`); optional here because
     * applications recorded before it existed must still read back.
     */
    researchOfficeEmail: z
      .email('expected the research office e-mail address, e.g. rd@ntu.edu.tw')
      .max(bounds.email, 'expected an e-mail address of at most 254 characters')
      .optional(),
  })
  .strict();
export type Institution = z.infer<typeof Institution>;

const Years = z.number().min(0);

/** The deck appendix's qualifications for a PI or co-PI (items 一–五). */
export const Qualification = z.discriminatedUnion('category', [
  // 一: universities, research institutions, teaching hospitals
  z.object({ category: z.literal('professor'), rank: z.enum(['assistantProfessor', 'associateProfessor', 'professor']) }).strict(),
  z.object({ category: z.literal('lecturer'), yearsOfService: Years, hasPublicationsOrPatents: z.boolean() }).strict(),
  z
    .object({
      category: z.literal('researchFellow'),
      rank: z.enum(['assistantResearchFellow', 'associateResearchFellow', 'researchFellow']),
      hasPhd: z.boolean(),
    })
    .strict(),
  z.object({ category: z.literal('attendingPhysician'), yearsAsAttending: Years, hasPublications: z.boolean() }).strict(),
  z.object({ category: z.literal('mastersResearcher'), yearsOfResearch: Years, hasPublications: z.boolean() }).strict(),
  // 二: retirees with national honours whose institution provides space and administration
  z
    .object({
      category: z.literal('honouredRetiree'),
      honour: z.enum(['academician', 'nationalChair', 'outstandingResearchAwardThreeTimes', 'other']),
      institutionProvidesSupport: z.boolean(),
    })
    .strict(),
  // 四: scarce nuclear / aerospace staff with a PhD at public universities
  z.object({ category: z.literal('scarceNuclearAerospace'), hasPhd: z.boolean(), atPublicUniversity: z.boolean() }).strict(),
  // 五: non-establishment staff at public teaching hospitals
  z
    .object({
      category: z.literal('nonEstablishmentHospitalStaff'),
      kind: z.enum(['attendingPhysician', 'phdResearcher']),
      yearsOfService: Years,
      hasPublications: z.boolean(),
      atPublicTeachingHospital: z.boolean(),
    })
    .strict(),
  z.object({ category: z.literal('other'), description: LongText() }).strict(),
]);
export type Qualification = z.infer<typeof Qualification>;

export const Investigator = z
  .object({
    id: IdText().min(1),
    name: NameText().min(1),
    email: z.email().max(bounds.email, 'expected an e-mail address of at most 254 characters'),
    institutionId: IdText().min(1),
    /** Full-time, monthly paid staff; endowment-fund hires (item 三) count as such when they meet item 一. */
    employment: z.enum(['fullTimeMonthly', 'endowmentFund', 'partTime', 'retired', 'nonEstablishment']),
    secondment: z.enum(['none', 'domestic', 'overseasGovernmentPost']).default('none'),
    qualification: Qualification,
  })
  .strict();
export type Investigator = z.infer<typeof Investigator>;

const Ntd = z.number().int('expected whole NT$').nonnegative('expected an amount of NT$0 or more');

export const YearBudget = z
  .object({
    year: z.number().int().min(1),
    personnel: Ntd,
    operatingExpenses: Ntd,
    serviceEquipment: Ntd,
    researchEquipment: Ntd.default(0),
  })
  .strict();
export type YearBudget = z.infer<typeof YearBudget>;

export const MemberSector = z.enum(['company', 'researchInstitute', 'school', 'individual']);
export const PlannedMember = z
  .object({
    name: NameText().min(1),
    sector: MemberSector,
    /** Individuals count as members only in these industries (deck). */
    industry: z.enum(['agriculture', 'culturalCreative', 'other']).default('other'),
    annualFeeNtd: Ntd,
  })
  .strict();
export type PlannedMember = z.infer<typeof PlannedMember>;

export const YearKpi = z
  .object({
    year: z.number().int().min(1),
    members: z.number().int().min(0),
    memberFeesNtd: Ntd,
    technologyTransferNtd: Ntd,
    technicalServicesNtd: Ntd,
    industryAcademiaProjectsNtd: Ntd,
  })
  .strict();
export type YearKpi = z.infer<typeof YearKpi>;

/**
 * A year's results as a progress report states them (law v2 keeps them). With the member list, the
 * programme's rules count the members itself (`countKpiMembers`); without it, the stated count stands alone.
 */
export const ReportedKpi = YearKpi.extend({ memberList: z.array(PlannedMember).max(bounds.list).optional() }).strict();
export type ReportedKpi = z.infer<typeof ReportedKpi>;

export const Phase2Income = z
  .object({
    memberFeesNtd: Ntd,
    technologyTransferNtd: Ntd,
    technicalServicesNtd: Ntd,
    industryAcademiaProjectsNtd: Ntd,
  })
  .strict();
export type Phase2Income = z.infer<typeof Phase2Income>;

export const PhaseInfo = z.discriminatedUnion('phase', [
  z.object({ phase: z.literal(1) }).strict(),
  z
    .object({
      phase: z.literal(2),
      phase1ProjectId: NameText().min(1),
      /** The phase-1 grant of year 3 that year-3 income must exceed. */
      phase1Year3GrantNtd: Ntd,
      year3Income: Phase2Income,
    })
    .strict(),
]);
export type PhaseInfo = z.infer<typeof PhaseInfo>;

/** An application as the PI drafts it. */
export const Application = z
  .object({
    id: IdText().regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, 'expected letters, digits and hyphens, e.g. TE2-0001'),
    institution: Institution,
    pi: Investigator,
    coPis: z.array(Investigator).default([]),
    division: Division,
    region: Region,
    title: TitleText().min(1),
    coreTechnology: LongText().min(1),
    yearsRequested: z.number().int().min(1),
    phase: PhaseInfo,
    budget: z.array(YearBudget).min(1),
    members: z.array(PlannedMember).default([]),
    kpis: z.array(YearKpi).default([]),
  })
  .strict();
export type Application = z.infer<typeof Application>;
export type ApplicationInput = z.input<typeof Application>;

/**
 * An application as it may enter now, its lists bounded. `Application` itself stays as lenient as
 * it was: workflow handlers parse it again on replay, and a history must replay as it was recorded.
 */
export const BoundedApplication = Application.extend({
  coPis: z
    .array(Investigator)
    .max(...atMost(bounds.people))
    .default([]),
  budget: z
    .array(YearBudget)
    .min(1)
    .max(...atMost(bounds.years)),
  members: z
    .array(PlannedMember)
    .max(...atMost(bounds.list))
    .default([]),
  kpis: z
    .array(YearKpi)
    .max(...atMost(bounds.years))
    .default([]),
});

/** An application entering the programme now: everything `BoundedApplication` asks, and an address for the institution's notices. */
export const NewApplication = BoundedApplication.extend({
  institution: Institution.extend({
    researchOfficeEmail: z
      .email('expected the research office e-mail address, e.g. rd@ntu.edu.tw')
      .max(bounds.email, 'expected an e-mail address of at most 254 characters'),
  }),
});
