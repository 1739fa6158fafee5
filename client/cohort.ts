import type { ApplicationInput, Division, Region } from '../domain/application';
import type { Reviewer } from '../domain/reviewers';

/** A small deterministic generator (mulberry32): the same seed gives the same cohort. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const institutions: Record<Exclude<Region, 'eastAndIslands'>, [string, string][]> = {
  north: [
    ['NTU', '國立臺灣大學'],
    ['NTHU', '國立清華大學'],
    ['NYCU', '國立陽明交通大學'],
    ['NTUST', '國立臺灣科技大學'],
    ['NTUT', '國立臺北科技大學'],
    ['NCU', '國立中央大學'],
  ],
  central: [
    ['NCHU', '國立中興大學'],
    ['THU', '東海大學'],
    ['FCU', '逢甲大學'],
    ['NCUE', '國立彰化師範大學'],
    ['NYUST', '國立雲林科技大學'],
  ],
  south: [
    ['NCKU', '國立成功大學'],
    ['NSYSU', '國立中山大學'],
    ['NKUST', '國立高雄科技大學'],
    ['NCYU', '國立嘉義大學'],
    ['NPUST', '國立屏東科技大學'],
  ],
};

/**
 * The 91 applications of the 105 call: regions in the deck's proportions of alliances founded in
 * 102–104 (North 58 : Central 35 : South 43); divisions spread as an assumption (the deck gives no split).
 */
export const cohort105 = {
  regions: { north: 39, central: 23, south: 29 } as Record<Exclude<Region, 'eastAndIslands'>, number>,
  divisions: { TE1: 12, TE2: 14, TE3: 14, TE4: 11, TE5: 10, TB1: 12, TS1: 9, TM1: 9 } as Record<Division, number>,
};

const topics: Record<Division, string[]> = {
  TE1: ['功率半導體', '車用電子', '射頻前端'],
  TE2: ['5G 邊緣運算', '資安檢測', '智慧物聯網'],
  TE3: ['精密機械', '複合材料', '智慧製造'],
  TE4: ['綠色化學', '機能紡織', '食品加工'],
  TE5: ['智慧營建', '儲能系統', '水資源'],
  TB1: ['醫材驗證', '精準醫療', '生技製程'],
  TS1: ['數位學習', '服務設計', '文化創意'],
  TM1: ['金融科技', '供應鏈管理', '商業分析'],
};

function shuffled<T>(items: T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** A realistic cohort of valid phase-1 applications, the same for the same seed. */
export function generateCohort(seed: number, sizes = cohort105): ApplicationInput[] {
  const random = seededRandom(seed);
  const divisions = shuffled(
    Object.entries(sizes.divisions).flatMap(([d, n]) => Array<Division>(n).fill(d as Division)),
    random,
  );
  const regions = shuffled(
    Object.entries(sizes.regions).flatMap(([r, n]) => Array<Exclude<Region, 'eastAndIslands'>>(n).fill(r as Exclude<Region, 'eastAndIslands'>)),
    random,
  );
  const counters: Record<string, number> = {};
  return divisions.map((division, i) => {
    const region = regions[i % regions.length]!;
    const [institutionId, institutionName] = institutions[region][Math.floor(random() * institutions[region].length)]!;
    counters[division] = (counters[division] ?? 0) + 1;
    const id = `${division}-${String(counters[division]).padStart(3, '0')}`;
    const years = 1 + Math.floor(random() * 3);
    const yearly = 1_200_000 + Math.round(random() * 15) * 100_000;
    const topic = topics[division][Math.floor(random() * 3)]!;
    return {
      id,
      institution: { id: institutionId, name: institutionName, type: 'universityOrCollege', researchOfficeEmail: `rd@${institutionId.toLowerCase()}.edu.tw` },
      pi: {
        id: `pi-${id.toLowerCase()}`,
        name: `計畫主持人 ${id}`,
        email: `pi-${id.toLowerCase()}@${institutionId.toLowerCase()}.edu.tw`,
        institutionId,
        employment: 'fullTimeMonthly',
        qualification: { category: 'professor', rank: random() < 0.5 ? 'professor' : 'associateProfessor' },
      },
      division,
      region,
      title: `${topic}產學技術聯盟`,
      coreTechnology: `${topic}核心技術`,
      yearsRequested: years,
      phase: { phase: 1 },
      budget: Array.from({ length: years }, (_, y) => ({
        year: y + 1,
        personnel: Math.round(yearly * 0.6),
        operatingExpenses: Math.round(yearly * 0.3),
        serviceEquipment: yearly - Math.round(yearly * 0.6) - Math.round(yearly * 0.3),
      })),
      members: [{ name: `${topic}會員廠商`, sector: 'company', annualFeeNtd: 50_000 }],
      kpis: Array.from({ length: years }, (_, y) => ({
        year: y + 1,
        members: 10 + 5 * y,
        memberFeesNtd: 500_000 * (y + 1),
        technologyTransferNtd: 0,
        technicalServicesNtd: 200_000,
        industryAcademiaProjectsNtd: 0,
      })),
    };
  });
}

/** A reviewer pool of `perDivision` reviewers per division from every region, some with declared conflicts. */
export function generateReviewerPool(seed: number, perDivision = 7): Reviewer[] {
  const random = seededRandom(seed + 1);
  const all = Object.values(institutions).flat();
  return (Object.keys(cohort105.divisions) as Division[]).flatMap((division) =>
    Array.from({ length: perDivision }, (_, i) => {
      const [institutionId] = all[Math.floor(random() * all.length)]!;
      const conflicted = random() < 0.2 ? [all[Math.floor(random() * all.length)]![0]].filter((id) => id !== institutionId) : [];
      const id = `rev-${division.toLowerCase()}-${String(i + 1).padStart(2, '0')}`;
      return {
        id,
        name: `審查委員 ${id}`,
        email: `${id}@reviewers.example.tw`,
        institutionId,
        divisions: [division],
        conflicts: { applicationIds: [], institutionIds: conflicted },
      };
    }),
  );
}
