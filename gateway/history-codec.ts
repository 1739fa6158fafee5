import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { KEY_ID_METADATA } from './payload-codec';

/** A payload as Temporal's JSON carries it: metadata values and data in base64. */
export interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const isJsonPayload = (value: unknown): value is JsonPayload & { metadata: Record<string, string> } => {
  if (!value || typeof value !== 'object') return false;
  const metadata = (value as { metadata?: unknown }).metadata;
  return Boolean(metadata) && typeof metadata === 'object' && typeof (metadata as Record<string, unknown>)[METADATA_ENCODING_KEY] === 'string';
};

export const payloadFromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  ...(p.data !== undefined ? { data: Buffer.from(p.data, 'base64') } : {}),
});

export const payloadToJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  ...(p.data ? { data: Buffer.from(p.data).toString('base64') } : {}),
});

/**
 * A history in Temporal's JSON form (as `temporal workflow show --output json` and the archive
 * keep it) with every payload run back through the codecs, outermost last: what the auditors read.
 * The shape stays Temporal's, so the result still replays.
 */
export async function decodeHistoryJson<T>(history: T, codecs: readonly PayloadCodec[]): Promise<T> {
  const found: (JsonPayload & { metadata: Record<string, string> })[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (isJsonPayload(value)) found.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  const copy = JSON.parse(JSON.stringify(history)) as T;
  walk(copy);
  let payloads = found.map(payloadFromJson);
  for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
  found.forEach((target, i) => {
    const decoded = payloadToJson(payloads[i]!);
    target.metadata = decoded.metadata ?? {};
    if (decoded.data !== undefined) target.data = decoded.data;
    else delete target.data;
  });
  return copy;
}

/**
 * A history in Temporal's JSON form with every payload sealed under `keyId` sealed again by
 * `encryption` (under its ring's current key), everything else as it was: what retiring a key
 * does to an archived history. The count says how many payloads were sealed again.
 */
export async function resealHistoryJson(json: string, keyId: string, encryption: PayloadCodec): Promise<{ json: string; resealed: number }> {
  const history = JSON.parse(json) as unknown;
  const mark = Buffer.from(keyId).toString('base64');
  const found: (JsonPayload & { metadata: Record<string, string> })[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (isJsonPayload(value)) {
      if (value.metadata[KEY_ID_METADATA] === mark) found.push(value);
    } else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(history);
  if (found.length === 0) return { json, resealed: 0 };
  const sealed = await encryption.encode(await encryption.decode(found.map(payloadFromJson)));
  found.forEach((target, i) => {
    const again = payloadToJson(sealed[i]!);
    target.metadata = again.metadata ?? {};
    if (again.data !== undefined) target.data = again.data;
    else delete target.data;
  });
  // Indented as Temporal's historyToJSON writes it, as the archive keeps every history.
  return { json: JSON.stringify(history, null, 2), resealed: found.length };
}
