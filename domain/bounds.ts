import { z } from 'zod';

/**
 * The size of every string the service accepts: bad input meets a limit of ours, with a message,
 * before it meets Temporal's payload limit. Generous for people, small beside a 2 MB payload.
 */
export const bounds = {
  id: 64,
  name: 300,
  title: 500,
  text: 20_000,
  instant: 64,
  secret: 4096,
  list: 1000,
  years: 10,
  people: 50,
  email: 254,
  codecPayload: 4 * 1024 * 1024,
  /**
   * Documents by reference (gateway/document-codec.ts): a payload over 16 KiB leaves
   * each part over 4 KiB in the document store, so Temporal's 2 MB payload limit is never near.
   */
  documents: { payloadBytes: 16 * 1024, documentBytes: 4 * 1024 },
} as const;

/** A list of at most `n`, saying so when longer. */
export const atMost = (n: number): [number, string] => [n, `expected at most ${n.toLocaleString('en-US')} entries`];

const at = (n: number) => `expected at most ${n.toLocaleString('en-US')} characters`;
export const IdText = (): z.ZodString => z.string().max(bounds.id, at(bounds.id));
export const NameText = (): z.ZodString => z.string().max(bounds.name, at(bounds.name));
export const TitleText = (): z.ZodString => z.string().max(bounds.title, at(bounds.title));
export const LongText = (): z.ZodString => z.string().max(bounds.text, at(bounds.text));

/** A list keyed by id (a reviewer pool, a registry of institutions): each id once, the second named. */
export const uniqueIds =
  (noun: string) =>
  (list: readonly { id: string }[], ctx: z.RefinementCtx): void => {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `${noun} id ${item.id} appears twice; ids must be unique` });
      seen.add(item.id);
    });
  };
