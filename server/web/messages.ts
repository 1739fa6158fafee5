// The validation messages a person meets on the pages, in the page's language: zod's own in zod 4's
// zh-TW locale, the project's own wording (domain/ schemas, the rules) from this catalogue. The API
// keeps English and its codes: a client program reads the code, a person the page.
import { z } from 'zod';
import { nameOf, type Lang } from './i18n';
import { findingZh, reasonZh, refusalPatterns } from './refusals';

const zhTW = z.locales.zhTW();

/** zod's zh-TW locale names types in English (`預期為 number，但收到 string`): named here in Chinese. */
const typeNames: Record<string, string> = {
  number: '數字',
  string: '文字',
  boolean: '是或否',
  array: '清單',
  object: '欄位組',
  date: '日期',
  bigint: '整數',
  int: '整數',
  nan: '非數字',
  undefined: '空白',
  null: '空值',
};
const zhError: z.core.$ZodErrorMap = (issue) => {
  const said = zhTW.localeError(issue);
  const message = typeof said === 'string' ? said : said?.message;
  return message?.replace(/(預期為|但收到) ([a-z]+)/g, (whole, lead: string, type: string) => (typeNames[type] ? `${lead}${typeNames[type]}` : whole));
};

/** The project's own messages, as its schemas word them, and how the Chinese pages say them. */
const zhMessages: Record<string, string> = {
  'expected some text': '請填寫內容',
  'expected a non-empty value': '請填寫內容',
  'expected whole NT$': '請填寫新臺幣整數金額',
  'expected an amount above NT$0': '請填寫大於新臺幣 0 元的金額',
  'expected an amount of NT$0 or more': '請填寫新臺幣 0 元以上的金額',
  'expected a score from 0 to 100': '請填寫 0 至 100 的分數',
  'expected letters, digits and hyphens': '僅限英文字母、數字與連字號',
  'expected letters, digits and hyphens, e.g. TE2-0001': '僅限英文字母、數字與連字號，例如 TE2-0001',
  'expected letters, digits and hyphens, e.g. alliance-105': '僅限英文字母、數字與連字號，例如 alliance-105',
  'expected letters, digits and hyphens, e.g. rev-te2-01': '僅限英文字母、數字與連字號，例如 rev-te2-01',
  'expected the research office e-mail address, e.g. rd@ntu.edu.tw': '請填寫研發處電子郵件，例如 rd@ntu.edu.tw',
  'expected an e-mail address of at most 254 characters': '電子郵件至多 254 個字元',
  'expected at least one review division': '請至少選擇一個審查學門',
  'expected at least one application id': '請至少選擇一件申請案',
  'expected the roster id': '請填寫名冊編號',
  'expected the file name': '請提供檔名',
  'expected a file name of at most 200 characters': '檔名至多 200 個字元',
  'expected a file name without slashes or control characters': '檔名不可含斜線或控制字元',
  'expected the window to open before it closes': '開始時間須早於結束時間',
  'expected an ISO-8601 duration such as P3M, P30D or PT5S': '請填寫 ISO-8601 期間，例如 P3M、P30D 或 PT5S',
  'expected the call file (JSON)': '請提供公告檔（JSON）',
  'expected the reviewer pool (JSON), or a spreadsheet of it': '請提供審查委員名單（JSON 或試算表）',
  'Choose a file to upload.': '請選擇要上傳的檔案。',
  'Choose the kind of document.': '請選擇文件類別。',
};

/** Messages with a number or a value in them: the English pattern and its Chinese form. */
const zhPatterns: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^expected at most ([\d,]+) characters$/, (m) => `至多 ${m[1]} 個字元`],
  [/^expected at most ([\d,]+) entries$/, (m) => `至多 ${m[1]} 筆`],
  [/^expected at most (\d+) yearly amounts$/, (m) => `至多 ${m[1]} 個年度金額`],
  [/^expected an instant such as (\S+)/, (m) => `請填寫時間，例如 ${m[1]} 或民國日期 105.09.12 17:00`],
  [/^row (\d+), (.+?) \((\w+)\): (.*)$/, (m) => `第 ${m[1]} 列「${m[2]}」：${zhOf(m[4]!)}`],
  [/^row (\d+): reviewer id (\S+) appears twice; ids must be unique$/, (m) => `第 ${m[1]} 列：審查委員編號 ${m[2]} 重複出現，編號不可重複`],
  [/^row 1 \(the header\) lacks (.*)$/, (m) => `第 1 列（欄名）缺少 ${m[1]}`],
  [/^(\w+) id (\S+) appears twice; ids must be unique$/, (m) => `編號 ${m[2]} 重複出現，編號不可重複`],
  // A document refused at the door, or by the law.
  [
    /^The (\w+) was refused: a \w+ is taken as (.+); these bytes are none of PDF, DOCX, XLSX or ODT\.$/,
    (m) => `${kind(m[1]!)}未受理：僅接受 ${m[2]}，此檔案不是 PDF、DOCX、XLSX 或 ODT。`,
  ],
  [/^The (\w+) was refused: a \w+ is taken as (.+); these bytes are (\w+)\.$/, (m) => `${kind(m[1]!)}未受理：僅接受 ${m[2]}，此檔案為 ${m[3]}。`],
  [
    /^The (\w+) was refused: a \w+ may be at most ([\d.]+) MiB; this one is ([\d.]+) MiB\.$/,
    (m) => `${kind(m[1]!)}未受理：至多 ${m[2]} MiB，此檔案為 ${m[3]} MiB。`,
  ],
  [/^The file may be at most ([\d,]+) bytes; it was not kept\.$/, (m) => `檔案至多 ${m[1]} 位元組，未予保存。`],
  [/^A (\w+) is attached by the (\w+), not by the (\w+)\.$/, (m) => `${kind(m[1]!)}由${nameOf('zh-TW', m[2]!)}上傳，不是${nameOf('zh-TW', m[3]!)}。`],
  [/^document\.attach was refused: A (\w+) is attached while (.+)\.$/, (m) => `上傳文件未執行：${kind(m[1]!)}僅能於${whileZh[m[2]!] ?? m[2]}時上傳。`],
];

const kind = (code: string): string => nameOf('zh-TW', code);
/** When each kind of document is taken (machines/documents.ts), in Chinese. */
const whileZh: Record<string, string> = {
  'the application is a draft': '申請案為草稿',
  'the application awaits its endorsement': '申請案待機構推薦',
  'the contract awaits its signatures': '契約待簽署',
  "the year's progress report is awaited": '待繳本年度進度報告',
  'the closing report is awaited': '待繳結案報告',
};

function zhOf(message: string): string {
  const exact = zhMessages[message];
  if (exact) return exact;
  for (const [pattern, say] of [...zhPatterns, ...lawPatterns]) {
    const m = pattern.exec(message);
    if (m) return say(m);
  }
  return findingZh(message) ?? reasonZh(message) ?? message;
}
const lawPatterns = refusalPatterns(zhOf);

/** A message in the page's language (unchanged on English pages, and where the catalogue has none yet). */
export const localMessage = (lang: Lang, message: string): string => (lang === 'zh-TW' ? zhOf(message) : message);

/** zod's own messages in this language, for a parse the page does itself; none for English. */
export const zodMessages = (lang: Lang): z.core.$ZodErrorMap | undefined => (lang === 'zh-TW' ? zhError : undefined);

/** Parses a form's value, zod's own messages in the page's language. */
export const parseFor = <S extends z.ZodType>(lang: Lang, schema: S, value: unknown): z.ZodSafeParseResult<z.output<S>> =>
  lang === 'zh-TW' ? schema.safeParse(value, { error: zhError }) : schema.safeParse(value);
