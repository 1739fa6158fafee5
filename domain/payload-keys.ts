import { z } from 'zod';

/** A key's name: it travels in every payload it sealed, so it stays short and plain. */
export const PayloadKeyId = z
  .string()
  .max(64, 'expected at most 64 characters')
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected a key id of 1–64 letters, digits, ".", "_" or "-", e.g. 2026-11');

const Aes256Key = z
  .string()
  .max(100)
  .refine(
    (text) => /^[A-Za-z0-9+/]{43}=$/.test(text) && Buffer.from(text, 'base64').length === 32,
    'expected 32 random bytes in base64 (44 characters), e.g. from `alliance payload-keys rotate`',
  );

/**
 * The payload key file (ALLIANCE_PAYLOAD_KEYS_FILE): every key that ever sealed data, so old
 * histories still open, and which one seals new data. Keys are only ever added.
 */
export const PayloadKeyFile = z
  .object({
    current: PayloadKeyId,
    keys: z
      .array(z.object({ id: PayloadKeyId, key: Aes256Key, created: z.iso.datetime().optional() }).strict())
      .min(1, 'expected at least one key')
      .max(1000),
  })
  .strict()
  .superRefine((file, ctx) => {
    const ids = file.keys.map((k) => k.id);
    if (!ids.includes(file.current)) ctx.addIssue({ code: 'custom', path: ['current'], message: `names no key of the file (it has ${ids.join(', ')})` });
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice) ctx.addIssue({ code: 'custom', path: ['keys'], message: `key id ${twice} appears twice; a key id names one key forever` });
  });
export type PayloadKeyFile = z.infer<typeof PayloadKeyFile>;
