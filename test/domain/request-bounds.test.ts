import { z } from 'zod';
import * as api from '../../domain/api';
import { incomingPayloads } from '../../domain/project-events';

/**
 * Every schema a request is read with bounds each string and list, so bad input meets a limit of
 * ours (and the OpenAPI shows it), never Temporal's. The answers' strings are bounded too: the
 * typed client reads them as input of its own.
 */
const requestSchemas: [string, z.ZodType][] = [
  ...(Object.entries(api).filter(([name]) => /(Body|Query|Params|Payloads)$/.test(name)) as [string, z.ZodType][]),
  ...Object.entries(incomingPayloads).map(([type, schema]): [string, z.ZodType] => [`command ${type}`, schema]),
];

function unbounded(schema: unknown, path: string, lists = true): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const s = schema as Record<string, unknown>;
  const own: string[] = [];
  const closed = 'enum' in s || 'const' in s || ('pattern' in s && typeof s.maxLength === 'number');
  if (s.type === 'string' && !closed && typeof s.maxLength !== 'number' && !('enum' in s) && !('const' in s)) own.push(`${path}: string without maxLength`);
  if (lists && s.type === 'array' && typeof s.maxItems !== 'number' && !Array.isArray(s.prefixItems)) own.push(`${path}: array without maxItems`);
  return [
    ...own,
    ...Object.entries(s).flatMap(([key, value]) =>
      Array.isArray(value) ? value.flatMap((v, i) => unbounded(v, `${path}.${key}[${i}]`, lists)) : unbounded(value, `${path}.${key}`, lists),
    ),
  ];
}

it('bounds every string and list a request may carry', () => {
  expect(requestSchemas.length).toBeGreaterThan(20);
  const found = requestSchemas.flatMap(([name, schema]) => unbounded(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), name));
  expect(found).toEqual([]);
});

it('bounds every string an answer may carry', () => {
  const schemas = Object.entries(api).filter(([, schema]) => schema instanceof z.ZodType) as [string, z.ZodType][];
  expect(schemas.length).toBeGreaterThan(40);
  const found = schemas.flatMap(([name, schema]) => unbounded(z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }), name, false));
  expect(found).toEqual([]);
});
