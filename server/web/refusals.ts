// The law's refusals and the programme rules' findings, as a Chinese page (or an API caller asking
// for zh-TW) reads them. The law words them in English once (machines/, domain/rules.ts), with the
// ids, amounts and dates in them; each pattern here reads one such sentence and says it again in
// Chinese with the same figures. The codes stay as they are: a program reads the code.
import { formatRocDate } from '../../domain/roc-date';
import { nameOf, stateName } from './i18n';

type Say = (m: RegExpExecArray) => string;
export type Patterns = [RegExp, Say][];

const zh = (code: string): string => nameOf('zh-TW', code);
/** `office or pi` → 計畫辦公室或計畫主持人. */
const roles = (list: string): string => list.split(' or ').map(zh).join('或');
/** `a, b, c` (event types) → their names joined by 、. */
const events = (list: string): string => (list === 'nothing' ? '無' : list.split(', ').map(zh).join('、'));
/** `in execution (funding.awaitingFirstTranche, progressReport.awaiting)` → 「執行中」（經費撥付 › 待請第一期款、…）. */
export const whereZh = (where: string): string => {
  const m = /^in (\w+)(?: \((.+)\))?$/.exec(where);
  if (!m) return where;
  const inner = m[2]
    ? `（${m[2]
        .split(', ')
        .map((p) => stateName('zh-TW', p))
        .join('、')}）`
    : '';
  return `「${zh(m[1]!)}」${inner}`;
};
const instant = (iso: string): string => (/^\d{4}-\d{2}-\d{2}T/.test(iso) ? `民國 ${formatRocDate(iso)}` : iso);
const scope = (text: string): string => text.replace(/^call (\S+)$/, '徵求公告 $1 全部學門').replace(/^division (\S+)$/, '學門 $1');
const deadlineKind: Record<string, string> = {
  application: '申請',
  endorsement: '機構推薦',
  writtenReview: '書面審查',
  progressReport: '進度報告',
  closingReport: '結案報告',
};

/** Why an investigator falls short (domain/rules.ts), one reason at a time. */
const shortfalls: Patterns = [
  [/^a lecturer needs at least 4 years' service \(has (\d+)\)$/, (m) => `講師須服務滿 4 年（目前 ${m[1]} 年）`],
  [/^a lecturer needs publications in well-known journals or patents\/technical reports$/, () => '講師須有知名期刊著作或專利、技術報告'],
  [/^an assistant research fellow qualifies only with a PhD$/, () => '助研究員須具博士學位'],
  [/^an attending physician needs at least 2 years as attending \(has (\d+)\)$/, (m) => `主治醫師須任主治醫師滿 2 年（目前 ${m[1]} 年）`],
  [/^an attending physician needs publications$/, () => '主治醫師須有著作'],
  [/^a master's-degree holder needs at least 4 years of research work \(has (\d+)\)$/, (m) => `碩士級人員須從事研究工作滿 4 年（目前 ${m[1]} 年）`],
  [/^a master's-degree holder needs publications$/, () => '碩士級人員須有著作'],
  [/^a retiree qualifies only with a national honour named in the appendix .*$/, () => '退休人員須具附錄所列國家級榮譽（院士、國家講座、三次傑出研究獎）'],
  [/^a retiree's institution must provide space and handle administration$/, () => '退休人員之機構須提供空間並處理行政事務'],
  [/^scarce nuclear\/aerospace staff qualify only with a PhD at a public university$/, () => '核能及航太稀少性人員須具博士學位並任職公立大學'],
  [/^non-establishment staff qualify only at a public teaching hospital$/, () => '編制外人員僅限公立教學醫院'],
  [/^non-establishment staff need at least 2 years' service \(has (\d+)\)$/, (m) => `編制外人員須服務滿 2 年（目前 ${m[1]} 年）`],
  [/^non-establishment staff need publications$/, () => '編制外人員須有著作'],
  [/^"(.*)" is not a qualification the appendix lists$/, (m) => `「${m[1]}」不是附錄所列資格`],
  [/^the retiree route is for retired staff$/, () => '退休人員資格僅適用於已退休者'],
  [/^the non-establishment route is for non-establishment staff$/, () => '編制外人員資格僅適用於編制外人員'],
  [/^the PI and co-PIs must be full-time, monthly-paid staff of the applying institution$/, () => '計畫主持人及共同主持人須為申請機構之專任月支薪人員'],
  [/^staff seconded to a government overseas post may not apply$/, () => '借調駐外政府職務者不得申請'],
];

const say = (list: Patterns, text: string): string | null => {
  for (const [pattern, word] of list) {
    const m = pattern.exec(text);
    if (m) return word(m);
  }
  return null;
};

/** The programme rules' findings (domain/rules.ts), each a sentence of its own. */
const findings: Patterns = [
  [
    /^(.+) is a (\w+); only universities and colleges or public research institutions may apply — apply through an eligible institution\.$/,
    (m) => `${m[1]}為${zh(m[2]!)}；僅大專校院及公立研究機構得申請，請經由符合資格之機構申請。`,
  ],
  [
    /^(.+) is not eligible: (.+)\. Name an eligible investigator instead\.$/,
    (m) =>
      `${m[1]}不符資格：${m[2]!
        .split('; ')
        .map((r) => say(shortfalls, r) ?? r)
        .join('；')}。請改列符合資格之人員。`,
  ],
  [
    /^(.+) belongs to (\S+), not to the applying institution (\S+); seconded staff apply through their home institution\.$/,
    (m) => `${m[1]}隸屬 ${m[2]}，不是申請機構 ${m[3]}；借調人員請經由原機構申請。`,
  ],
  [
    /^Year (\d+) asks for (NT\$[\d,]+), above the yearly cap of (NT\$[\d,]+); reduce it by (NT\$[\d,]+)\.$/,
    (m) => `第 ${m[1]} 年度申請 ${m[2]}，超過每年上限 ${m[3]}；請減少 ${m[4]}。`,
  ],
  [
    /^Year (\d+) has (NT\$[\d,]+) of (\w+), which this programme does not fund \(it funds (.+)\); remove the line\.$/,
    (m) => `第 ${m[1]} 年度列有${zh(m[3]!)} ${m[2]}，本計畫不補助此項（補助：${m[4]!.split(', ').map(zh).join('、')}）；請刪除該項。`,
  ],
  [/^(\d+) years requested; a phase lasts at most (\d+) years\.$/, (m) => `申請 ${m[1]} 年；每期至多 ${m[2]} 年。`],
  [/^Phase (\d+) requested; a project has at most (\d+) phases\.$/, (m) => `申請第 ${m[1]} 期；計畫至多 ${m[2]} 期。`],
  [
    /^The budget covers years (.+) but (\d+) years are requested; give one budget per year, years (.+) in order\.$/,
    (m) => `經費預算涵蓋年度 ${m[1] === 'none' ? '無' : m[1]}，但申請 ${m[2]} 年；請每年一筆，依序為第 ${m[3]} 年度。`,
  ],
  [
    /^Year-3 income counts (NT\$[\d,]+) \(industry–academia project funding at ([\d.]+) %\), which does not exceed the phase-1 grant of (NT\$[\d,]+); phase 2 needs more\.$/,
    (m) => `第三年收入計 ${m[1]}（產學合作收入以 ${m[2]}% 計），未超過第一期補助 ${m[3]}；申請第二期須高於此數。`,
  ],
  [/^(\d+) yearly amounts given for a (\d+)-year project; give one per year\.$/, (m) => `${m[2]} 年期計畫填了 ${m[1]} 個年度金額；請每年一個。`],
  [/^Year (\d+): (NT\$[\d,]+) approved but only (NT\$[\d,]+) requested\.$/, (m) => `第 ${m[1]} 年度核定 ${m[2]}，但僅申請 ${m[3]}。`],
  [/^Year (\d+): (NT\$[\d,]+) approved, above the yearly cap of (NT\$[\d,]+)\.$/, (m) => `第 ${m[1]} 年度核定 ${m[2]}，超過每年上限 ${m[3]}。`],
];

/** Why the law refused, sentence by sentence (machines/judge.ts, call-judge.ts, ownership.ts, documents.ts, access.ts). */
const reasons: Patterns = [
  // A rule's finding after its code; one finding, not the run of them the judge joins.
  [/^([A-Z_]{3,}): ((?:(?! [A-Z_]{3,}: ).)+)$/, (m) => `${say(findings, m[2]!) ?? m[2]}（${m[1]}）`],
  [/^system events come only from the project's deadline timers\.$/, () => '系統事件僅由計畫的期限計時器產生。'],
  [
    /^the project has ended \((.+?)\)(?: — (.*))?; it accepts nothing more\.$/,
    (m) => `計畫已結束（${whereZh(m[1]!)}${m[2] ? `：${m[2]}` : ''}），不再受理任何操作。`,
  ],
  [
    /^A rejection is recorded after the presentation review or straight from the written review\.$/,
    () => '未核定之決議須於簡報審查後，或直接於書面審查後記錄。',
  ],
  [
    /^An approval follows the presentation review, or the office's recorded waiver of it .*$/,
    () => '核定須在簡報審查之後，或經計畫辦公室記錄免除簡報審查（並附理由）。',
  ],
  [/^The written-review round of this application closed at (\S+?)(\.|;.*)$/, (m) => `本申請案的書面審查回合已於${instant(m[1]!)}結束${closedTail(m[2]!)}`],
  [
    /^The new (\w+) deadline \((\S+)\) has already passed; choose a later time\.$/,
    (m) => `新的${deadlineKind[m[1]!] ?? m[1]}期限（${instant(m[2]!)}）已過；請選擇較晚的時間。`,
  ],
  [/^The project does not wait on its (\w+) deadline while it is (.+)\.$/, (m) => `計畫目前為${whereZh(m[2]!)}，並未等待${deadlineKind[m[1]!] ?? m[1]}期限。`],
  [/^Reviewer (\S+) is already assigned to this application\.$/, (m) => `審查委員 ${m[1]} 已指派審查本申請案。`],
  [
    /^Reviewer (\S+) has already recorded a review of this application(; a recorded review is not withdrawn)?\.$/,
    (m) => `審查委員 ${m[1]} 已提交本申請案的審查意見${m[2] ? '；已提交之意見不得撤回' : ''}。`,
  ],
  [/^Reviewer (\S+) is not assigned to this application\.$/, (m) => `審查委員 ${m[1]} 未受指派審查本申請案。`],
  [
    /^Year (\d+)'s tranches are withheld until the progress report of year (\d+) is accepted\.$/,
    (m) => `第 ${m[1]} 年度經費須待第 ${m[2]} 年度進度報告通過後始得請款。`,
  ],
  [
    /^Tranche (\d) may take at most ([\d.]+) % of year (\d+)'s approved (NT\$[\d,]+), that is (NT\$[\d,]+)\.$/,
    (m) => `第 ${m[1]} 期款至多為第 ${m[3]} 年度核定金額 ${m[4]} 的 ${m[2]}%，即 ${m[5]}。`,
  ],
  [
    /^The tranche of year (\d+) carried past its year's end is paid (before another is requested|before the project closes|first)\.$/,
    (m) => `第 ${m[1]} 年度跨年度未撥之款項須先撥付${carriedTail[m[2]!]}。`,
  ],
  [
    /^Tranche (\d) of year (\d+) is requested between (.+)\.$/,
    (m) => `第 ${m[2]} 年度第 ${m[1]} 期款請於 ${m[3]!.replace(/ and /g, ' 至 ').replace(/, or /g, '，或 ')} 之間請款。`,
  ],
  [/^(NT\$[\d,]+) would exceed the amount approved for year (\d+)\.$/, (m) => `${m[1]} 將超過第 ${m[2]} 年度核定金額。`],
  [/^The conditions for (\S+) are not met while the project is (.+)\.$/, (m) => `計畫目前為${whereZh(m[2]!)}，不符${zh(m[1]!)}的條件。`],
  [/^The alliance is already selected for the exhibition of year (\d+)'s results\.$/, (m) => `本聯盟已獲選參加第 ${m[1]} 年度成果發表。`],
  [/^The alliance has no accepted results of project year (\d+) to exhibit\.$/, (m) => `本聯盟第 ${m[1]} 年度尚無通過之成果可供發表。`],
  [/^No tranche is waiting to be paid\.$/, () => '目前沒有待撥付的請款。'],
  [
    /^application (\S+) does not name (\S+) as its PI; a PI acts only on their own applications\.$/,
    (m) => `申請案 ${m[1]} 的計畫主持人不是 ${m[2]}；計畫主持人僅能處理自己的申請案。`,
  ],
  [
    /^application (\S+) was not filed through institution (\S+); an institution acts only on its own applications\.$/,
    (m) => `申請案 ${m[1]} 不是經由 ${m[2]} 提出；機構僅能處理本機構之申請案。`,
  ],
  [/^the application id is (\S+) and cannot change\.$/, (m) => `申請案編號為 ${m[1]}，不可變更。`],
  [
    /^the PI of application (\S+) is (\S+); an application cannot be handed to another PI\.$/,
    (m) => `申請案 ${m[1]} 的計畫主持人為 ${m[2]}；申請案不可轉給其他計畫主持人。`,
  ],
  [/^application (\S+) was filed through (\S+); it cannot move to another institution\.$/, (m) => `申請案 ${m[1]} 經由 ${m[2]} 提出，不可改至其他機構。`],
  [
    /^the research office of (\S+) is told at the address registered with application (\S+).*$/,
    (m) => `${m[1]} 研發處的通知地址以申請案 ${m[2]} 登記者為準，計畫主持人不可刪除或變更。`,
  ],
  [
    /^the PI of application (\S+) is told at the address verified at registration .*$/,
    (m) => `申請案 ${m[1]} 的計畫主持人通知地址以註冊時驗證者為準，請於身分驗證系統變更。`,
  ],
  [
    /^application (\S+) was registered as phase (\d+) with the facts checked then; .*$/,
    (m) => `申請案 ${m[1]} 以第 ${m[2]} 期登記並已查核；如需變更，請撤回後重新登記。`,
  ],
  [
    /^application (\S+) was registered in division (\S+); to apply in (\S+), withdraw it and register a new application\.$/,
    (m) => `申請案 ${m[1]} 登記於學門 ${m[2]}；如要改申請 ${m[3]}，請撤回後重新登記。`,
  ],
  [
    /^reviewer (\S+) has a conflict of interest with application (\S+) \((\S+)\); choose another reviewer\.$/,
    (m) => `審查委員 ${m[1]} 與申請案 ${m[2]}（${m[3]}）有利益衝突；請改派其他委員。`,
  ],
  [
    /^application (\S+) does not name (\w+) (\S+) as its PI; only the PI it names may register it\.$/,
    (m) => `申請案 ${m[1]} 的計畫主持人不是 ${m[3]}；僅申請案所列計畫主持人可登記。`,
  ],
  [
    /^reviewer (\S+) is not assigned to application (\S+); a reviewer steps down only from applications assigned to them\.$/,
    (m) => `審查委員 ${m[1]} 未受指派審查申請案 ${m[2]}；僅能辭退受指派的審查。`,
  ],
  [
    /^reviewer (\S+) is not assigned to application (\S+); a reviewer records only on applications assigned to them\.$/,
    (m) => `審查委員 ${m[1]} 未受指派審查申請案 ${m[2]}；審查委員僅能處理受指派的申請案。`,
  ],
  [/^A (\w+) is taken as (.+), not (\w+)\.$/, (m) => `${zh(m[1]!)}僅接受 ${m[2]!.toUpperCase()} 格式，此檔案為 ${m[3]!.toUpperCase()}。`],
  [/^A (\w+) may be at most (\d+) bytes; this one is (\d+)\.$/, (m) => `${zh(m[1]!)}至多 ${m[2]} 位元組，此檔案為 ${m[3]} 位元組。`],
  [/^reviewer (\S+) is already assigned to application (\S+)\.$/, (m) => `審查委員 ${m[1]} 已指派審查申請案 ${m[2]}。`],
  [/^the written review of (.+) closed at (\S+?)(\.|;.*)$/, (m) => `${scope(m[1]!)}的書面審查已於${instant(m[2]!)}結束${closedTail(m[3]!)}`],
  [
    /^(\S+) has registered (\d+) applications in call (\S+), the most one PI may register in one call .*$/,
    (m) => `${m[1]} 已於徵求公告 ${m[3]} 登記 ${m[2]} 件申請案，已達每位計畫主持人之上限。`,
  ],
  [
    /^phase\.phase1ProjectId (\S+) is already continued by (\S+); an alliance has one phase 2\.$/,
    (m) => `第一期計畫 ${m[1]} 已由 ${m[2]} 接續；每一聯盟僅有一個第二期。`,
  ],
  [/^(\w+) (\S+) carries no log-in; .*$/, (m) => `${zh(m[1]!)} ${m[2]} 未經登入驗證；請經由本服務的 API 操作。`],
  [
    /^the (application deadline|institution endorsement deadline) of call (\S+) passed at (.+?) \((\S+)\); late (applications|endorsements) are not accepted\. (.+)$/,
    (m) => m[6]!,
  ],
];

const closedTail = (tail: string): string =>
  tail === '.'
    ? '。'
    : ({
        '; no reviewer is assigned after it.': '，結束後不再指派審查委員。',
        '; a reviewer steps down before it closes.': '；審查委員須於結束前辭退。',
        '; late reviews are not recorded.': '，逾期之審查意見不予記錄。',
        '; a closed round does not reopen.': '；已結束之回合不再重開。',
      }[tail] ?? tail);
const carriedTail: Record<string, string> = {
  'before another is requested': '，始得再請款',
  'before the project closes': '，計畫始得結案',
  first: '',
};

/** Whole refusals: who may, what is possible now, and the law's reasons after "was refused:". */
export function refusalPatterns(inner: (text: string) => string): Patterns {
  const reason = (text: string): string => say(reasons, text) ?? inner(text);
  return [
    [/^(\S+) may be sent only by (.+), not by (\w+) (\S+)\.$/, (m) => `${zh(m[1]!)}僅限${roles(m[2]!)}執行；${zh(m[3]!)} ${m[4]} 不可執行。`],
    [
      /^(\S+) is not possible while the project is (.+); (\w+) may now send (.+)\.$/,
      (m) => `計畫目前為${whereZh(m[2]!)}，無法${zh(m[1]!)}；${zh(m[3]!)}現在可執行：${events(m[4]!)}。`,
    ],
    [
      /^(\S+) is not possible while call (\S+) is (\w+)(?: \((?:applications|endorsements) closed ([\d.: ]+)\))?; it is possible when the call is (.+)\.$/,
      (m) =>
        `徵求公告 ${m[2]} 目前為「${zh(m[3]!)}」${m[4] ? `（已於民國 ${m[4]} 截止）` : ''}，無法${zh(m[1]!)}；須於「${m[5]!.split(' or ').map(zh).join('」或「')}」時執行。`,
    ],
    [/^"(\S+)" is not a project command; use one of: .*$/, (m) => `「${m[1]}」不是計畫的指令。`],
    [
      /^(\S+) was refused: its payload is invalid — (.*)\.$/,
      (m) => `${zh(m[1]!)}未執行：資料不正確——${m[2]!.split('; ').map(fieldProblem(inner)).join('；')}。`,
    ],
    [/^(\S+) was refused: name the acting role and id .*$/, (m) => `${zh(m[1]!)}未執行：請註明執行者的角色與編號。`],
    [/^(\S+) was refused: (.+)$/, (m) => `${zh(m[1]!)}未執行：${reasonsOf(m[2]!, reason)}`],
    [/^Application (\S+) is not registered in call (\S+)\.$/, (m) => `申請案 ${m[1]} 未於徵求公告 ${m[2]} 登記。`],
    [
      /^Application (\S+) is already registered in call (\S+); choose another application id\.$/,
      (m) => `申請案 ${m[1]} 已於徵求公告 ${m[2]} 登記；請使用其他申請案編號。`,
    ],
    [
      /^Application (\S+) was not filed through (\S+); an institution may endorse only its own applicants\.$/,
      (m) => `申請案 ${m[1]} 不是經由 ${m[2]} 提出；機構僅能推薦本機構之申請案。`,
    ],
    [
      /^Reviewer (\S+) is not in the reviewer pool of call (\S+); assign one of its (\d+) reviewers\.$/,
      (m) => `審查委員 ${m[1]} 不在徵求公告 ${m[2]} 的委員名單中；請由名單的 ${m[3]} 位委員中指派。`,
    ],
    [
      /^The written review of (.+) closed at (\S+); a closed round does not reopen\.$/,
      (m) => `${scope(m[1]!)}的書面審查已於${instant(m[2]!)}結束；已結束之回合不再重開。`,
    ],
    [
      /^The application deadline of call (\S+) has passed \((.+)\); it can no longer move\.$/,
      (m) => `徵求公告 ${m[1]} 的申請截止時間（民國 ${m[2]}）已過，不可再變更。`,
    ],
    [/^until: (\S+) has already passed; choose a later time\.$/, (m) => `新期限 ${instant(m[1]!)} 已過；請選擇較晚的時間。`],
    [
      /^until: the application deadline must stay before the endorsement deadline \((.+)\); move that one first\.$/,
      (m) => `新期限：申請截止須早於機構推薦截止（民國 ${m[1]}）；請先變更後者。`,
    ],
    [/^until: the endorsement deadline must stay after the application deadline \((.+)\)\.$/, (m) => `新期限：機構推薦截止須晚於申請截止（民國 ${m[1]}）。`],
    [/^until: the endorsement deadline must stay before the review period ends \((.+)\)\.$/, (m) => `新期限：機構推薦截止須早於審查期間結束（民國 ${m[1]}）。`],
    [
      /^(?:The .+ of call \S+ comes at .+: too soon to move for the whole call|until: \S+ is too soon); a call-wide move .* at least (\S+) \(policy\.amendmentLeadTime\) ahead; .*$/,
      (m) => `全公告期限變更須至少提前 ${m[1]}（policy.amendmentLeadTime）；個別計畫請以其變更期限操作辦理。`,
    ],
    [
      /^This project runs under law v(\d+), which keeps no documents; .*$/,
      (m) => `本計畫適用第 ${m[1]} 版規則，尚不保存文件；將於下一執行年度改適用現行規則。`,
    ],
  ];
}

/** `budget.0.personnel: expected whole NT$` → the field's name and its problem in Chinese. */
const fieldProblem =
  (inner: (text: string) => string) =>
  (text: string): string => {
    const m = /^([^:]+): (.*)$/.exec(text);
    return m ? `${m[1]}：${inner(m[2]!)}` : inner(text);
  };

/**
 * A refusal's reasons: the judge joins them with a space, and a reason may hold sentences of its
 * own; from each sentence on, the longest run of sentences a pattern knows is said as one.
 */
function reasonsOf(text: string, reason: (text: string) => string): string {
  const parts = text.split(/(?<=\.) (?=[A-Z])/);
  const said: string[] = [];
  for (let i = 0; i < parts.length;) {
    let j = parts.length;
    while (j > i + 1 && say(reasons, parts.slice(i, j).join(' ')) === null) j--;
    said.push(reason(parts.slice(i, j).join(' ')));
    i = j;
  }
  return said.join('');
}

/** The programme rules' findings, as the project page lists them for a draft. */
export const findingZh = (message: string): string | null => say(findings, message);

/** One of the law's reasons alone, as a refusal's `details` lists them. */
export const reasonZh = (message: string): string | null => say(reasons, message);
