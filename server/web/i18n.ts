import { zhNames } from './names';

/** The pages speak Traditional Chinese by default, English on request (the `lang` cookie). */
export const languages = ['zh-TW', 'en'] as const;
export type Lang = (typeof languages)[number];
export const isLang = (value: unknown): value is Lang => languages.includes(value as Lang);

/** Words of the pages: [Traditional Chinese, English]. */
const words = {
  appName: ['產學技術聯盟合作計畫', 'Industry–Academia Technology Alliance programme'],
  skip: ['跳至主要內容', 'Skip to main content'],
  home: ['首頁', 'Home'],
  logout: ['登出', 'Log out'],
  loggedInAs: ['登入身分', 'Logged in as'],
  switchLanguage: ['English', '中文'],
  roleOffice: ['計畫辦公室', 'Programme office'],
  rolePi: ['計畫主持人', 'Principal investigator'],
  roleInstitution: ['機構研發處', 'Research office'],
  roleReviewer: ['審查委員', 'Reviewer'],
  roleAuditor: ['稽核人員', 'Auditor'],
  calls: ['徵求公告', 'Calls'],
  call: ['徵求公告', 'Call'],
  openCall: ['開啟徵求公告', 'Open a call'],
  callFile: ['公告檔（JSON：日程、政策）', 'Call file (JSON: calendar and policy)'],
  poolFile: ['審查委員名單（JSON）', 'Reviewer pool (JSON)'],
  poolSpreadsheet: ['或以試算表匯入審查委員名單（.xlsx 或 .csv）', 'Or import the reviewer pool from a spreadsheet (.xlsx or .csv)'],
  poolSpreadsheetHint: [
    '第一列為欄名，每列一位委員；學門、利益衝突以逗號或頓號分隔。欄名：',
    'Row 1 names the columns, one reviewer a row; divisions and conflicts separated by commas. Columns: ',
  ],
  dashboard: ['計畫總覽', 'Dashboard'],
  allCalls: ['全部公告', 'All calls'],
  projectsByState: ['各狀態計畫數（學門 × 地區）', 'Projects by state (division × region)'],
  state: ['狀態', 'State'],
  division: ['學門', 'Division'],
  region: ['地區', 'Region'],
  total: ['合計', 'Total'],
  overdueReports: ['逾期報告', 'Overdue reports'],
  none: ['無', 'None'],
  upcomingDeadlines: ['未來 30 日內截止', 'Deadlines in the next 30 days'],
  deadline: ['截止', 'Deadline'],
  what: ['項目', 'What'],
  reviewRounds: ['書面審查回合', 'Written review rounds'],
  scope: ['範圍', 'Scope'],
  started: ['開始', 'Started'],
  closed: ['結束', 'Closed'],
  open: ['進行中', 'Open'],
  reviewsIn: ['已收審查意見', 'Reviews in'],
  reviewsMissing: ['缺審查意見', 'Reviews missing'],
  assigned: ['已分派', 'Assigned'],
  bulkOperations: ['批次作業', 'Bulk operations'],
  confirm: ['確認執行', 'Confirm'],
  cancel: ['取消', 'Cancel'],
  confirmTitle: ['請確認', 'Please confirm'],
  confirmText: ['此作業將套用至本公告的計畫：', 'This operation applies to the projects of this call:'],
  running: ['執行中', 'Running'],
  progress: ['進度', 'Progress'],
  outcome: ['結果', 'Outcome'],
  applied: ['已完成', 'Done'],
  skipped: ['略過', 'Skipped'],
  unreachable: ['無法送達', 'Unreachable'],
  reason: ['原因', 'Reason'],
  back: ['返回', 'Back'],
  projects: ['計畫', 'Projects'],
  project: ['計畫', 'Project'],
  title: ['計畫名稱', 'Title'],
  institution: ['機構', 'Institution'],
  pi: ['計畫主持人', 'PI'],
  lifecycle: ['階段', 'Stage'],
  projectYear: ['執行年度', 'Project year'],
  timeline: ['歷程', 'Timeline'],
  when: ['時間', 'When'],
  who: ['執行者', 'Who'],
  role: ['角色', 'Role'],
  event: ['事件', 'Event'],
  fromTo: ['由 → 至', 'From → to'],
  statechart: ['狀態圖', 'Statechart'],
  current: ['目前', 'current'],
  pendingDeadlines: ['待辦期限', 'Pending deadlines'],
  rule: ['依據', 'Rule'],
  money: ['經費', 'Money'],
  approvedPerYear: ['核定金額（每年）', 'Approved per year'],
  requestedPerYear: ['申請金額（每年）', 'Requested per year'],
  tranches: ['請款', 'Tranches'],
  requested: ['已請款', 'Requested'],
  carriedTranche: ['年度結束時未撥付、仍待撥付之請款', 'Requested, unpaid at its year end, still to be paid'],
  refusedTranche: ['年度結束時未撥付、不予撥付之請款', 'Requested, unpaid at its year end, refused'],
  exhibitions: ['成果發表', 'Results exhibition'],
  paid: ['已撥款', 'Paid'],
  reports: ['報告', 'Reports'],
  documents: ['文件', 'Documents'],
  sheets: ['匯出試算表', 'Spreadsheets'],
  'sheet-applications': ['申請案', 'Applications'],
  'sheet-ranking': ['排序', 'Ranking'],
  'sheet-decisions': ['決議', 'Decisions'],
  'sheet-payments': ['撥款', 'Payments'],
  'sheet-overdue': ['逾期報告', 'Overdue reports'],
  documentKind: ['文件類別', 'Kind'],
  fileName: ['檔名', 'File name'],
  size: ['大小', 'Size'],
  attachDocument: ['上傳文件', 'Attach a document'],
  documentFile: ['檔案', 'File'],
  documentFormats: ['格式與大小上限', 'Formats and largest size'],
  upload: ['上傳', 'Upload'],
  download: ['下載', 'Download'],
  reviews: ['審查意見', 'Reviews'],
  noReviewsVisible: ['目前沒有可檢視的審查意見。', 'No reviews you may see yet.'],
  decision: ['決議', 'Decision'],
  notices: ['通知', 'Notices'],
  delivery: ['寄送狀態', 'Delivery'],
  actions: ['可執行的操作', 'What you may do now'],
  noActions: ['目前沒有您可執行的操作。', 'Nothing for you to do here now.'],
  send: ['送出', 'Send'],
  myProjects: ['我的申請案與計畫', 'My applications and projects'],
  ourApplications: ['本機構的申請案', "Our institution's applications"],
  myAssignments: ['我的審查案件', 'My assignments'],
  todo: ['待辦事項', 'To do'],
  nothingDue: ['目前沒有待辦事項。', 'Nothing is due from you now.'],
  timeLeft: ['剩餘時間', 'Time left'],
  pastDue: ['已逾期', 'Past due'],
  calendarFeed: ['行事曆訂閱', 'Calendar feed'],
  calendarMade: [
    '您的行事曆訂閱網址（僅顯示這一次；持有者即可讀取您的待辦事項）：',
    'Your calendar address (shown this once; whoever holds it reads your to-do list):',
  ],
  calendarRevoked: ['行事曆訂閱網址已停用。', 'Your calendar address was revoked.'],
  calendarCreate: ['建立行事曆訂閱網址', 'Make a calendar address'],
  calendarRevoke: ['停用行事曆訂閱網址', 'Revoke the calendar address'],
  digestHeading: ['提醒寄送方式', 'How reminders reach you'],
  digestAtOnce: ['每則提醒即時寄送', 'Each reminder at once'],
  digestDaily: ['每日彙整為一封（期限前的提醒）', 'One mail a day (the reminders before a deadline)'],
  digestHint: ['逾期通知、審查結果與撥款等通知一律即時寄送。寄至：', 'Overdue notices, decisions, payments and the like always come at once. Sent to:'],
  digestSave: ['儲存寄送方式', 'Save how reminders reach you'],
  digestSaved: ['已儲存。', 'Saved.'],
  newApplication: ['新增申請案', 'New application'],
  apply: ['申請', 'Apply'],
  roster: ['推薦名冊', 'Roster'],
  submitRoster: ['送出推薦名冊', 'Submit the roster'],
  rosters: ['已送名冊', 'Rosters sent'],
  search: ['查詢', 'Search'],
  searchProjects: ['查詢計畫', 'Search projects'],
  history: ['稽核紀錄', 'Audit history'],
  verify: ['驗證', 'Verify'],
  verifyLedger: ['驗證稽核帳本', 'Verify the ledger'],
  verified: ['帳本驗證通過', 'The ledger verifies'],
  broken: ['帳本驗證失敗：第一個問題', 'The ledger does not verify: first problem'],
  checked: ['已檢查筆數', 'Entries checked'],
  export: ['匯出', 'Export'],
  errorsTitle: ['請修正下列欄位', 'Please correct these fields'],
  refusedTitle: ['未執行', 'Not done'],
  ruleMessages: ['計畫規則檢查', 'Programme rules'],
  rulesPass: ['符合計畫規則。', 'Meets the programme rules.'],
  notFound: ['找不到此頁面，或您無權檢視。', 'Nothing here, or not yours to see.'],
  optional: ['（選填）', '(optional)'],
  listHint: ['以逗號或換行分隔（金額可寫千分位：1,800,000）', 'separate with commas or new lines (amounts may be written 1,800,000)'],
  whenVariant: ['當選擇', 'when'],
  addRowHint: ['留白的列不會送出', 'blank rows are ignored'],
  signedOut: ['您已登出。', 'You are logged out.'],
  logIn: ['登入', 'Log in'],
  members: ['聯盟會員（依計畫規則計算）', 'Alliance members (counted by the programme rules)'],
  kpis: ['績效指標', 'KPIs'],
  plannedKpis: ['預期績效指標（申請書）', 'Planned KPIs (application)'],
  reportedKpis: ['實際績效（已通過之進度報告）', 'Results (accepted progress reports)'],
  statedMembers: ['填報會員數', 'Members stated'],
  countedMembers: ['依規則計算之會員數', 'Members counted by the rules'],
  done: ['完成', 'Done'],
  failed: ['失敗', 'Failed'],
  ranking: ['排序', 'Ranking'],
  slot: ['簡報時段', 'Presentation slot'],
  summary: ['摘要', 'Summary'],
  topPerDivision: ['各學門前幾名', 'Top N per division'],
  forbidden: ['無法確認此表單來自本站，請重新整理頁面後再試。', 'This form could not be confirmed as ours: reload the page and try again.'],
  rocYear: ['年度', 'Year'],
  reviewerPool: ['審查委員人數', 'Reviewers in the pool'],
  entryHash: ['雜湊值', 'Hash'],
  callFileInstead: ['進階：改以公告檔（JSON）開啟（填寫時以公告檔為準）', 'Advanced: open from a call file (JSON) instead (when filled, the file is used)'],
  callFormHint: [
    '日期請以民國日期填寫，例如 116.09.12 17:00 或 116年9月12日（亦接受 ISO 時間）；計畫政策與通知設定沿用所選範本。',
    'Write dates as ROC dates, e.g. 116.09.12 17:00 or 116年9月12日 (ISO instants are taken too); the programme policy and notices are the chosen template’s.',
  ],
  funnel: ['計畫進程', 'How far the projects came'],
  funnelHint: [
    '各階段計入依目前狀態可確知已達該階段的計畫；撤回、逾期失效、未核定者計至其狀態可證明的階段。完成簡報審查：簡報結果已記錄，或經計畫辦公室記錄理由免辦。',
    'Each stage counts the projects whose present state proves they reached it; withdrawn, lapsed and rejected ones count up to the stage their state proves. Presented: the panel’s result recorded, or the presentation excused by the office with its reason.',
  ],
  stage: ['階段', 'Stage'],
  statechartDesc: [
    '計畫的法定狀態：外框內為其下的狀態，∥ 表示同時進行的部分；塗色粗框為目前狀態。右側清單為同一內容。',
    "The project's legal states: a frame holds the states under it, ∥ marks parts that run together; the filled, thick frames are where the project stands. The list beside says the same.",
  ],
  timelineDesc: [
    '計畫年度為色帶；圓點為已發生的事件，三角為待辦期限，方塊為撥款；虛線為今日。明細見下表。',
    'The project years as bands; dots are what happened, triangles what is due, squares the payments; the dashed line is today. The table below lists them.',
  ],
  moneyDesc: ['各年度核定金額與已撥款金額；數字同右表。', 'Approved and paid per project year; the same figures as the table.'],
  chartStateDivisionDesc: [
    '每格為該狀態、該學門的計畫數，顏色越深越多；數字同下表。',
    'Each cell is the number of projects in that state and division, darker for more; the same figures as the table.',
  ],
} as const satisfies Record<string, readonly [string, string]>;
export type Word = keyof typeof words;

export type Translate = (word: Word) => string;
export const translator =
  (lang: Lang): Translate =>
  (word) =>
    words[word][lang === 'zh-TW' ? 0 : 1];

/** `writtenReview` → "Written review": a code made readable for English pages. */
const readable = (code: string): string => {
  const last = code.split('.').pop() ?? code;
  const spaced = last
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/-/g, ' ')
    .toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
};

/** A state, event, field or choice as this language names it. */
export function nameOf(lang: Lang, code: string): string {
  if (lang === 'zh-TW') return zhNames[code] ?? zhNames[code.split('.').pop() ?? ''] ?? code;
  return code.includes('.') ? code : readable(code);
}

/** A dotted state path, each part named: `review.writtenReview` → 審查中 › 書面審查. */
export const stateName = (lang: Lang, path: string): string =>
  path
    .split('.')
    .map((part) => nameOf(lang, part))
    .join(' › ');

/** Who acted, as a log names them: the role in this language, then the id. */
export const actorName = (lang: Lang, actor: { role: string; id: string }): string => `${nameOf(lang, actor.role)} ${actor.id}`;

/** A code of one family (`notice`, `funnel`), named `<family>.<code>` in the names; English makes the code readable. */
export const familyName = (lang: Lang, family: string, code: string): string => (lang === 'zh-TW' ? (zhNames[`${family}.${code}`] ?? code) : readable(code));

/** A notice's kind as this language names it. */
export const noticeName = (lang: Lang, kind: string): string => familyName(lang, 'notice', kind);

/** How a notice's delivery stands (`delivery.<status>` in the names; English keeps the status). */
export const deliveryName = (lang: Lang, status: string): string => (lang === 'zh-TW' ? familyName(lang, 'delivery', status) : status);
