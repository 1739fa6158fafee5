import { nameOf, type Lang } from './i18n';

/**
 * A call's operation as its page names it. The call records each operation under an English line
 * (`written review TE2`, `roster NTU-01`; kept as written in years-old histories), so a Chinese page
 * reads the line's pattern and words it again, with the ids as they were. A line of no known
 * pattern is shown as recorded.
 */
const zhPatterns: [RegExp, (...parts: string[]) => string][] = [
  [/^close written review (.+)$/, (scopes) => `結束書面審查（${scopeNames(scopes)}）`],
  [/^written review (.+)$/, (scope) => `開始書面審查（${scopeNames(scope)}）`],
  [/^reviewer (\S+) assigned to (\S+)$/, (reviewer, application) => `指派審查委員 ${reviewer} 審查 ${application}`],
  [/^reviewer (\S+) stepped down from (\S+) \(conflict of interest\)$/, (reviewer, application) => `審查委員 ${reviewer} 因利益衝突迴避 ${application}`],
  [/^reviewer (\S+) stepped down from (\S+)$/, (reviewer, application) => `審查委員 ${reviewer} 辭退 ${application} 之審查`],
  [/^replacement reviewer for (\S+)$/, (application) => `為 ${application} 指派替代審查委員`],
  [/^roster (.+)$/, (rosterId) => `推薦名冊 ${rosterId}`],
  [/^(\w+) deadline moved to (\S+)$/, (deadline, until) => `${nameOf('zh-TW', deadline)}期限變更至 ${until}`],
  [/^presentation invitations$/, () => '邀請簡報'],
  [/^presentation schedule$/, () => '排定簡報時段'],
  [/^announcement$/, () => '公告決議'],
];

const scopeNames = (scopes: string): string =>
  scopes
    .split(', ')
    .map((scope) => nameOf('zh-TW', scope))
    .join('、');

/** A review round's scope: a division's code, or the whole call. */
export const scopeName = (lang: Lang, scope: string): string => (scope === 'all' ? (lang === 'zh-TW' ? nameOf(lang, 'all') : 'all divisions') : scope);

export function operationName(lang: Lang, operation: string): string {
  if (lang !== 'zh-TW') return operation;
  for (const [pattern, word] of zhPatterns) {
    const match = pattern.exec(operation);
    if (match) return word(...match.slice(1));
  }
  return operation;
}
