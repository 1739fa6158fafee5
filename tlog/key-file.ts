// The payload key file the operator keeps (ALLIANCE_PAYLOAD_KEYS_FILE): read and checked, and
// rotated by `alliance payload-keys rotate` on the key's own host, with no service running.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { PayloadKeyFile } from '../domain/payload-keys';

export function readKeyFile(file: string, variable: string): PayloadKeyFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${variable}: ${file} is not JSON; expected {"current": "<id>", "keys": [{"id": "<id>", "key": "<32 bytes base64>"}]}`);
  }
  const parsed = PayloadKeyFile.safeParse(json);
  if (!parsed.success) {
    throw new Error(`${variable}: ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/**
 * Adds a fresh random key to the file (made if missing, owner-only) and makes it current; the
 * older keys stay, so everything they sealed still opens. Returns the new key's id.
 */
export function rotateKeyFile(file: string, now = new Date()): string {
  const existing: PayloadKeyFile | null = existsSync(file) ? readKeyFile(file, 'the key file') : null;
  const base = now.toISOString().slice(0, 10);
  const taken = new Set(existing?.keys.map((k) => k.id) ?? []);
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}.${n}`;
  const next: PayloadKeyFile = {
    current: id,
    keys: [...(existing?.keys ?? []), { id, key: randomBytes(32).toString('base64'), created: now.toISOString() }],
  };
  // Written beside and renamed over: a crash mid-write never leaves a file that lost a key.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
  chmodSync(file, 0o600);
  return id;
}
