import { z } from 'zod';
import { html, type Html } from './html';
import { nameOf, translator, type Lang } from './i18n';
import { localMessage } from './messages';

/**
 * Forms drawn from the zod schemas the API validates with (through their JSON Schema), and read
 * back into the shape those schemas parse: one definition of every command's fields, so a page can
 * never accept what the law would not, nor ask for what it does not need. Works without script:
 * unions show every variant's fields under the choice they belong to; lists of records show their
 * rows and blank ones to fill.
 */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  format?: string;
}

const cache = new WeakMap<z.ZodType, JsonSchema>();
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  let found = cache.get(schema);
  if (!found) {
    found = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    cache.set(schema, found);
  }
  return found;
}

/** Messages by the data path they concern (`budget.0.personnel`); '' for the whole form. */
export type FieldErrors = Map<string, string[]>;

export function errorsFromIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[], prefix: readonly string[] = []): FieldErrors {
  const errors: FieldErrors = new Map();
  for (const issue of issues) {
    const key = [...prefix, ...issue.path.map(String)].join('.');
    errors.set(key, [...(errors.get(key) ?? []), issue.message]);
  }
  return errors;
}

type Form = Record<string, string | string[] | undefined>;
/** A form field's value (the first, when a name came twice). */
export const firstValue = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? ''));
const variantsOf = (schema: JsonSchema): JsonSchema[] | undefined => schema.oneOf ?? schema.anyOf;

/** The property every variant fixes with a constant: the union's discriminator. */
function discriminatorOf(variants: JsonSchema[]): string | undefined {
  const names = Object.keys(variants[0]?.properties ?? {});
  return names.find((name) => variants.every((v) => v.properties?.[name]?.const !== undefined));
}

const isRecordList = (schema: JsonSchema): boolean =>
  schema.type === 'array' && (schema.items?.type === 'object' || Boolean(schema.items && variantsOf(schema.items)));
const dataPath = (name: readonly string[]): string => name.filter((part) => !part.startsWith('@')).join('.');
/** Ids carry the form's own prefix: two forms on a page (suspend, terminate) each have their `reason`. */
const fieldId = (context: RenderContext, name: readonly string[]): string => `f-${context.idPrefix}${name.join('-').replace(/[^A-Za-z0-9-]/g, '_')}`;

interface RenderContext {
  lang: Lang;
  errors: FieldErrors;
  /** Data paths drawn, so messages about anything else go to the form's summary. */
  drawn: Map<string, string>;
  idPrefix: string;
}

function errorList(context: RenderContext, path: string, id: string): Html {
  const messages = context.errors.get(path);
  context.drawn.set(path, id);
  if (!messages) return html``;
  return html`<ul class="field-errors" id="${id}-errors">${messages.map((m) => html`<li>${localMessage(context.lang, m)}</li>`)}</ul>`;
}

const label = (lang: Lang, name: readonly string[]): string => nameOf(lang, name.filter((p) => !p.startsWith('@') && !/^\d+$/.test(p)).pop() ?? '');

function scalarInput(context: RenderContext, schema: JsonSchema, name: string[], value: unknown, required: boolean): Html {
  const t = translator(context.lang);
  const id = fieldId(context, name);
  const path = dataPath(name);
  const invalid = context.errors.has(path);
  const describedBy = invalid ? `${id}-errors` : undefined;
  const caption = html`<label for="${id}">${label(context.lang, name)}${required ? '' : html` <span class="optional">${t('optional')}</span>`}</label>`;
  // Defaults are not drawn: a blank row must stay blank, and an empty field takes the schema's default when read.
  const shown =
    value === undefined || value === null
      ? ''
      : typeof value === 'object' && !Array.isArray(value)
        ? JSON.stringify(value)
        : (value as string | number | boolean | unknown[]);
  let control: Html;
  if (schema.enum) {
    control = html`<select id="${id}" name="${name.join('.')}" aria-invalid="${invalid}" ${describedBy ? html`aria-describedby="${describedBy}"` : ''}>
      <option value="">—</option>${schema.enum.map((option) => html`<option value="${String(option)}" ${String(option) === String(shown) ? 'selected' : ''}>${nameOf(context.lang, String(option))}</option>`)}</select>`;
  } else if (schema.type === 'boolean') {
    return html`<div class="field checkbox"><input type="checkbox" id="${id}" name="${name.join('.')}" value="true" ${shown === true ? 'checked' : ''} aria-invalid="${invalid}">
      <label for="${id}">${label(context.lang, name)}</label>${errorList(context, path, id)}</div>`;
  } else if (schema.type === 'array') {
    const text = Array.isArray(shown) ? shown.map(String).join(', ') : String(shown);
    control = html`<input type="text" id="${id}" name="${name.join('.')}" value="${text}" aria-invalid="${invalid}" aria-describedby="${id}-hint${describedBy ? ` ${describedBy}` : ''}"><span class="hint" id="${id}-hint">${t('listHint')}</span>`;
  } else if (schema.type === 'integer' || schema.type === 'number') {
    control = html`<input type="text" inputmode="numeric" id="${id}" name="${name.join('.')}" value="${String(shown)}" aria-invalid="${invalid}" ${describedBy ? html`aria-describedby="${describedBy}"` : ''}>`;
  } else if ((schema.maxLength ?? 0) > 500) {
    // What a person wrote is theirs, in whatever language: marked so (`translate="no"`).
    control = html`<textarea id="${id}" name="${name.join('.')}" rows="4" translate="no" maxlength="${schema.maxLength}" aria-invalid="${invalid}" ${describedBy ? html`aria-describedby="${describedBy}"` : ''}>${String(shown)}</textarea>`;
  } else {
    control = html`<input type="${schema.format === 'email' ? 'email' : 'text'}" id="${id}" name="${name.join('.')}" value="${String(shown)}" ${schema.maxLength ? html`maxlength="${schema.maxLength}"` : ''} aria-invalid="${invalid}" ${describedBy ? html`aria-describedby="${describedBy}"` : ''}>`;
  }
  return html`<div class="field${invalid ? ' invalid' : ''}">${caption}${control}${errorList(context, path, id)}</div>`;
}

function renderNode(context: RenderContext, schema: JsonSchema, name: string[], value: unknown, required: boolean): Html {
  const variants = variantsOf(schema);
  if (variants) return renderUnion(context, variants, name, value, required);
  if (schema.type === 'object') {
    const record = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
    const fields = Object.entries(schema.properties ?? {}).map(([key, child]) =>
      renderNode(context, child, [...name, key], record[key], (schema.required ?? []).includes(key)),
    );
    if (name.length === 0) return html`${fields}`;
    return html`<fieldset id="${fieldId(context, name)}"><legend>${label(context.lang, name)}</legend>${errorList(context, dataPath(name), fieldId(context, name))}${fields}</fieldset>`;
  }
  if (isRecordList(schema)) {
    const t = translator(context.lang);
    const rows = Array.isArray(value) ? value : [];
    const blank = Math.max(rows.length ? 1 : 3, (schema.minItems ?? 0) - rows.length);
    const count = Math.min(rows.length + blank, schema.maxItems ?? Infinity);
    return html`<fieldset id="${fieldId(context, name)}" class="rows"><legend>${label(context.lang, name)} <span class="hint">${t('addRowHint')}</span></legend>${errorList(context, dataPath(name), fieldId(context, name))}
      ${Array.from({ length: count }, (_, i) => html`<fieldset class="row"><legend>${label(context.lang, name)} ${i + 1}</legend>${renderNode(context, { ...schema.items!, type: schema.items!.type ?? 'object' }, [...name, String(i)], rows[i], true)}</fieldset>`)}</fieldset>`;
  }
  return scalarInput(context, schema, name, value, required);
}

function renderUnion(context: RenderContext, variants: JsonSchema[], name: string[], value: unknown, required: boolean): Html {
  const t = translator(context.lang);
  const key = discriminatorOf(variants);
  if (!key) return scalarInput(context, { type: 'string' }, name, typeof value === 'string' ? value : JSON.stringify(value ?? ''), required);
  const record = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const choices = variants.map((v) => String(v.properties![key]!.const));
  const chooser = scalarInput(context, { enum: choices }, [...name, key], record[key], true);
  const parts = variants.map((variant, i) => {
    const rest = Object.fromEntries(Object.entries(variant.properties ?? {}).filter(([k]) => k !== key));
    if (Object.keys(rest).length === 0) return html``;
    const chosen = String(record[key]) === choices[i];
    // Messages belong to the variant chosen; the others' fields of the same name stay quiet.
    const scoped: RenderContext = chosen ? context : { ...context, errors: new Map(), drawn: new Map() };
    return html`<fieldset class="variant"><legend>${t('whenVariant')} ${label(context.lang, [key])} = ${nameOf(context.lang, choices[i]!)}</legend>
      ${renderNode(scoped, { type: 'object', properties: rest, required: (variant.required ?? []).filter((k) => k !== key) }, [...name, `@${choices[i]}`], chosen ? record : undefined, true)}</fieldset>`;
  });
  const body = html`${chooser}${parts}`;
  if (name.length === 0) return body;
  return html`<fieldset id="${fieldId(context, name)}"><legend>${label(context.lang, name)}</legend>${errorList(context, dataPath(name), fieldId(context, name))}${body}</fieldset>`;
}

/** The inputs of a schema's fields, filled with `value`, each with its messages; and the messages about anything not drawn. */
export function renderSchemaFields(lang: Lang, schema: z.ZodType, value: unknown, errors: FieldErrors, idPrefix = ''): { fields: Html; summary: Html } {
  const context: RenderContext = { lang, errors, drawn: new Map(), idPrefix: idPrefix ? `${idPrefix.replace(/[^A-Za-z0-9-]/g, '-')}-` : '' };
  const fields = renderNode(context, jsonSchemaOf(schema), [], value, true);
  return { fields, summary: errorSummary(lang, errors, context.drawn) };
}

/** The list of every message at the top of the form, each a link to its field (as screen readers expect). */
export function errorSummary(lang: Lang, errors: FieldErrors, drawn: Map<string, string> = new Map()): Html {
  if (errors.size === 0) return html``;
  const t = translator(lang);
  return html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary"><h2>${t('errorsTitle')}</h2><ul>${[...errors].flatMap(
    ([path, messages]) =>
      messages.map((m) => {
        const id = drawn.get(path);
        const where = path ? `${path}: ` : '';
        const said = localMessage(lang, m);
        return id ? html`<li><a href="#${id}">${where}${said}</a></li>` : html`<li>${where}${said}</li>`;
      }),
  )}</ul></div>`;
}

/** A urlencoded form read back into the schema's shape; the schema then says what is wrong. */
export function readSchemaForm(schema: z.ZodType, form: Form, prefix: string[] = []): unknown {
  return readNode(jsonSchemaOf(schema), prefix, form, true) ?? {};
}

function hasInput(form: Form, name: string[]): boolean {
  const start = `${name.join('.')}.`;
  return Object.entries(form).some(([key, value]) => key.startsWith(start) && firstValue(value).trim() !== '');
}

function readNode(schema: JsonSchema, name: string[], form: Form, required: boolean): unknown {
  const variants = variantsOf(schema);
  if (variants) {
    const key = discriminatorOf(variants);
    if (!key) return readScalar({ type: 'string' }, name, form, required);
    const chosen = firstValue(form[[...name, key].join('.')]).trim();
    const variant = variants.find((v) => String(v.properties![key]!.const) === chosen);
    if (!variant) return chosen === '' && !required ? undefined : { [key]: chosen || undefined };
    const constValue = variant.properties![key]!.const;
    const rest = Object.fromEntries(Object.entries(variant.properties ?? {}).filter(([k]) => k !== key));
    const read = readNode({ type: 'object', properties: rest, required: variant.required ?? [] }, [...name, `@${chosen}`], form, true) as Record<
      string,
      unknown
    >;
    return { [key]: constValue, ...read };
  }
  if (schema.type === 'object') {
    if (name.length > 0 && !required && !hasInput(form, name)) return undefined;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(schema.properties ?? {})) {
      const value = readNode(child, [...name, key], form, (schema.required ?? []).includes(key));
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  if (isRecordList(schema)) {
    const prefix = `${name.join('.')}.`;
    const indices = new Set<number>();
    for (const key of Object.keys(form)) {
      if (!key.startsWith(prefix)) continue;
      const index = Number(key.slice(prefix.length).split('.')[0]);
      if (Number.isInteger(index) && index >= 0 && index < 1000) indices.add(index);
    }
    const rows = [...indices]
      .sort((a, b) => a - b)
      .filter((i) => hasInput(form, [...name, String(i)]))
      .map((i) => readNode({ ...schema.items!, type: schema.items!.type ?? 'object' }, [...name, String(i)], form, true));
    return rows.length === 0 && !required ? undefined : rows;
  }
  return readScalar(schema, name, form, required);
}

function coerce(schema: JsonSchema | undefined, text: string): unknown {
  if (schema?.type === 'integer' || schema?.type === 'number') {
    const number = Number(text.replace(/[,_\s]/g, ''));
    return text.trim() !== '' && Number.isFinite(number) ? number : text;
  }
  return text;
}

function readScalar(schema: JsonSchema, name: string[], form: Form, required: boolean): unknown {
  const raw = form[name.join('.')];
  if (schema.type === 'boolean') return firstValue(raw) === 'true' || firstValue(raw) === 'on';
  const text = firstValue(raw);
  if (schema.type === 'array') {
    // In a list of amounts a comma between digit groups of three is a thousands separator (NT$1,800,000), not a new item.
    const numeric = schema.items?.type === 'integer' || schema.items?.type === 'number';
    const items = text
      .split(numeric ? /[\n;；，、]|,(?!\d{3}(?:\D|$))/ : /[\n;；，、,]/)
      .map((s) => s.trim())
      .filter(Boolean);
    return items.length === 0 && !required ? undefined : items.map((item) => coerce(schema.items, item));
  }
  if (text.trim() === '') return required && schema.type === 'string' && schema.default === undefined ? '' : undefined;
  return coerce(schema, text.trim() === text ? text : (schema.maxLength ?? 0) > 500 ? text : text.trim());
}
