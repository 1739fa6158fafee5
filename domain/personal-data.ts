/**
 * Logs carry no personal data: an e-mail address becomes `<e-mail at ntu.edu.tw>` (the domain
 * still tells operators which relay or institution it concerns), and fields that hold names,
 * addresses or review text are replaced whole. Ids (pi-lin, TE2-0001) are not personal data here:
 * they are how the programme names its roles and projects.
 */
const EMAIL = /[A-Za-z0-9._%+'-]+@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})/g;

/** Field names whose values are personal or confidential text: masked whole, whatever they hold. */
const PERSONAL_FIELDS = /^(name|names|email|emails|e-?mail|recipient|recipients|address|addresses|comments?|text|body|subject|phone)$/i;

export function maskEmails(text: string): string {
  return text.replace(EMAIL, (_all, domain: string) => `<e-mail at ${domain}>`);
}

/** A copy of a log record's fields with personal data masked (depth-bounded; errors as message and stack). */
export function maskPersonalData(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskEmails(value);
  if (value instanceof Error) return { name: value.name, message: maskEmails(value.message), ...(value.stack ? { stack: maskEmails(value.stack) } : {}) };
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6) return '<nested>';
  if (Array.isArray(value)) return value.map((v) => maskPersonalData(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, PERSONAL_FIELDS.test(k) && v !== undefined && v !== null ? '<masked>' : maskPersonalData(v, depth + 1)]),
  );
}
