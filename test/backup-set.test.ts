// `alliance backup` on its own, without servers: a stopped data directory's set and its restore
// elsewhere, what a set or a target must be, and the deployments whose databases are PostgreSQL's and
// a cluster's (test/backup.test.ts runs the whole round with the service running).
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteLedger, openSqliteNoticeLog } from '../activities/stores';
import { generateLogKey } from '../tlog/checkpoint';
import { rotateKeyFile } from '../tlog/key-file';
import { runAlliance } from './helpers/cli';

const work = mkdtempSync(path.join(os.tmpdir(), 'alliance-backup-set-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const documentName = (hex: string) => `sha256-${hex.repeat(32)}`;

/** A data directory as a stopped embedded service leaves it: the stores' files, its keys, a checkpoint, two documents and one half-written. */
async function stoppedDataDirectory(dir: string): Promise<{ keyId: string }> {
  mkdirSync(path.join(dir, 'witness'), { recursive: true });
  await (await openSqliteLedger(path.join(dir, 'ledger.sqlite'))).close();
  await (await openSqliteNoticeLog(path.join(dir, 'notices.sqlite'))).close();
  // The stores' own SQLite stands in for Temporal's here: the backup reads each as a SQLite file.
  await (await openSqliteNoticeLog(path.join(dir, 'temporal.sqlite'))).close();
  const keyId = rotateKeyFile(path.join(dir, 'payload-keys.json'));
  writeFileSync(path.join(dir, 'ledger-signing.key'), `${generateLogKey('backup.test').signerKey}\n`, { mode: 0o600 });
  writeFileSync(path.join(dir, 'witness', 'checkpoint-000000000001.txt'), 'backup.test\n1\n', { mode: 0o444 });
  mkdirSync(path.join(dir, 'documents', 'ab'), { recursive: true });
  writeFileSync(path.join(dir, 'documents', 'ab', documentName('ab')), `${keyId}\nsealed bytes`);
  writeFileSync(path.join(dir, 'documents', 'ab', documentName('ac')), 'an-old-key\nsealed bytes');
  writeFileSync(path.join(dir, 'documents', 'ab', `${documentName('ad')}.123.x.tmp`), 'half written');
  mkdirSync(path.join(dir, 'keycloak'));
  writeFileSync(path.join(dir, 'sessions.sqlite'), '');
  return { keyId };
}

const alliance = (env: Record<string, string>, ...args: string[]) => runAlliance(args, env);

it('takes a stopped data directory and restores it elsewhere with the keys put back; refuses targets that are not fresh and sets that are not whole', async () => {
  const data = path.join(work, 'data');
  const set = path.join(work, 'set');
  const { keyId } = await stoppedDataDirectory(data);
  const env = { ALLIANCE_DATA_DIR: data };

  const taken = await alliance(env, '--json', 'backup', 'create', set);
  expect(taken.stderr).toBe('');
  const manifest = JSON.parse(readFileSync(path.join(set, 'manifest.json'), 'utf8')) as {
    order: string[];
    payloadKeys: { required: string[] };
    files: { path: string }[];
    versions: { schemas: Record<string, number> };
  };
  expect(manifest.order).toEqual(['temporal', 'witness', 'ledger', 'notices', 'documents']);
  expect(manifest.payloadKeys.required).toEqual(['an-old-key', keyId].sort());
  expect(manifest.files.map((f) => f.path).sort()).toEqual(
    [
      'documents/ab/' + documentName('ab'),
      'documents/ab/' + documentName('ac'),
      'ledger.sqlite',
      'notices.sqlite',
      'temporal.sqlite',
      'witness/checkpoint-000000000001.txt',
    ].sort(),
  );
  expect(manifest.versions.schemas['ledger:ledger']).toBeGreaterThanOrEqual(1);
  expect(JSON.parse(taken.stdout)).toMatchObject({
    notes: expect.arrayContaining([expect.stringMatching(/^Documents are sealed under key\(s\) an-old-key, which /)]),
  });

  expect((await alliance(env, 'backup', 'create', set)).stderr).toMatch(/^VALIDATION: The backup directory .* is not empty: /);
  expect((await alliance(env, 'backup', 'create', path.join(data, 'inside'))).stderr).toMatch(/^VALIDATION: The backup directory .* lies inside .*data: /);
  expect((await alliance({ ALLIANCE_DATA_DIR: path.join(work, 'nothing') }, 'backup', 'create', path.join(work, 'x'))).stderr).toMatch(
    /^VALIDATION: .*temporal\.sqlite: no Temporal's database there\. Is .* the service's data directory/,
  );

  // A key file with both keys the set names: the one of the data directory, and the old one's stand-in.
  const keys = path.join(work, 'all-keys.json');
  const file = JSON.parse(readFileSync(path.join(data, 'payload-keys.json'), 'utf8')) as { current: string; keys: { id: string; key: string }[] };
  writeFileSync(keys, JSON.stringify({ ...file, keys: [...file.keys, { id: 'an-old-key', key: file.keys[0]!.key }] }));
  const fresh = path.join(work, 'restored');
  const restore = (target: string, ...more: string[]) =>
    alliance(env, 'backup', 'restore', set, '--data-dir', target, '--payload-keys', keys, '--signing-key', path.join(data, 'ledger-signing.key'), ...more);
  const restored = await restore(fresh);
  expect(restored.stderr).toBe('');
  expect(readdirSync(fresh).sort()).toEqual([
    'documents',
    'ledger-signing.key',
    'ledger.sqlite',
    'notices.sqlite',
    'payload-keys.json',
    'temporal.sqlite',
    'witness',
  ]);
  expect(readFileSync(path.join(fresh, 'documents', 'ab', documentName('ac')), 'utf8')).toBe('an-old-key\nsealed bytes');
  expect(statSync(path.join(fresh, 'witness', 'checkpoint-000000000001.txt')).mode & 0o777).toBe(0o444);
  expect(statSync(path.join(fresh, 'payload-keys.json')).mode & 0o777).toBe(0o600);
  expect((await restore(fresh)).stderr).toMatch(/^VALIDATION: The data directory \(ALLIANCE_DATA_DIR\) .* is not empty: /);

  // What the manifest does not name, and a manifest naming a path outside the set: nothing is written.
  writeFileSync(path.join(set, 'notes.txt'), 'mine');
  expect((await restore(path.join(work, 'r2'))).stderr).toMatch(
    /^INTEGRITY: .* holds what its manifest does not name: notes\.txt\. .*; nothing was written\.\n$/,
  );
  rmSync(path.join(set, 'notes.txt'));
  chmodSync(path.join(set, 'manifest.json'), 0o600);
  writeFileSync(
    path.join(set, 'manifest.json'),
    readFileSync(path.join(set, 'manifest.json'), 'utf8').replace('"witness/checkpoint-', '"witness/../../checkpoint-'),
  );
  const crafted = await restore(path.join(work, 'r2'));
  expect(crafted.stderr).toMatch(/^VALIDATION: .*manifest\.json is not a valid manifest: files\.\d+: names a path outside its part\.\n$/);
  expect(crafted.status).toBe(2);
  expect(existsSync(path.join(work, 'r2'))).toBe(false);
});

it('beside PostgreSQL and a Temporal cluster takes the files there are, says what their tools keep, and restores only into the same kind of deployment', async () => {
  const payloadKeys = path.join(work, 'cluster-keys.json');
  const keyId = rotateKeyFile(payloadKeys);
  const env = {
    DATABASE_URL: 'postgres://alliance@127.0.0.1:1/alliance',
    TEMPORAL_ADDRESS: '127.0.0.1:1',
    ALLIANCE_DATA_DIR: path.join(work, 'cluster-data'),
    ALLIANCE_DOCUMENTS_DIR: path.join(work, 'shared-documents'),
    ALLIANCE_WITNESS_DIR: path.join(work, 'shared-witness'),
    ALLIANCE_PAYLOAD_KEYS_FILE: payloadKeys,
  };
  mkdirSync(path.join(env.ALLIANCE_DOCUMENTS_DIR, '0f'), { recursive: true });
  writeFileSync(path.join(env.ALLIANCE_DOCUMENTS_DIR, '0f', documentName('0f')), `${keyId}\nsealed`);
  mkdirSync(env.ALLIANCE_WITNESS_DIR);
  writeFileSync(path.join(env.ALLIANCE_WITNESS_DIR, 'checkpoint-000000000007.txt'), 'log\n7\n');
  // One the writer is writing: cut short, it is left out (the ledger keeps its checkpoint).
  writeFileSync(path.join(env.ALLIANCE_WITNESS_DIR, 'checkpoint-000000000008.txt'), 'log\n8');
  const set = path.join(work, 'cluster-set');
  const taken = await alliance(env, 'backup', 'create', set);
  expect(taken.stderr).toBe('');
  expect(taken.stdout).toMatch(/\n {2}witness {4}witness\/checkpoint-000000000007\.txt, 6 B\n {2}documents {2}documents\/0f\/sha256-0f/);
  expect(taken.stdout).toMatch(
    /\nDATABASE_URL: the ledger, the archive, the notice log and the browser sessions are in PostgreSQL: back them up with pg_dump or a base backup begun after this set was taken\.\n/,
  );
  expect(taken.stdout).toMatch(
    /\nTEMPORAL_ADDRESS: Temporal's database is the cluster's: back it up with the cluster's own tools, before this set is taken\.\n/,
  );
  expect(taken.stdout).toMatch(/\nLeft out, being written when the set was taken: checkpoint-000000000008\.txt /);

  const { DATABASE_URL: _postgres, TEMPORAL_ADDRESS: _cluster, ...embedded } = env;
  const elsewhere = await alliance({ ...embedded, ALLIANCE_DATA_DIR: path.join(work, 'embedded') }, 'backup', 'restore', set);
  expect(elsewhere.stderr).toMatch(
    /^VALIDATION: This set was taken from a Temporal cluster with PostgreSQL, and this environment is the embedded Temporal server with SQLite files .*: restore into the same kind of deployment, its database with pg_restore first; nothing was written\.\n$/,
  );
  const otherKeys = path.join(work, 'other-keys.json');
  rotateKeyFile(otherKeys);
  expect((await alliance(env, 'backup', 'restore', set, '--payload-keys', otherKeys)).stderr).toBe(
    `VALIDATION: --payload-keys ${otherKeys} is not ALLIANCE_PAYLOAD_KEYS_FILE ${payloadKeys}, which the service will read: give that one, or leave --payload-keys out; nothing was written.\n`,
  );
  const moved = { ...env, ALLIANCE_DOCUMENTS_DIR: path.join(work, 'documents-2'), ALLIANCE_WITNESS_DIR: path.join(work, 'witness-2') };
  const restored = await alliance(moved, 'backup', 'restore', set);
  expect(restored.stderr).toBe('');
  expect(readdirSync(path.join(moved.ALLIANCE_DOCUMENTS_DIR, '0f'))).toEqual([documentName('0f')]);
  expect(readdirSync(moved.ALLIANCE_WITNESS_DIR)).toEqual(['checkpoint-000000000007.txt']);
  // The key file stays where ALLIANCE_PAYLOAD_KEYS_FILE points: nothing of it is copied.
  expect(readdirSync(moved.ALLIANCE_DATA_DIR)).toEqual([]);
});

it('runs the operators’ offline commands with no service configured', async () => {
  const rotated = await alliance({}, 'payload-keys', 'rotate', '--file', path.join(work, 'offline-keys.json'));
  expect(rotated.stderr).toBe('');
  expect(rotated.status).toBe(0);
  expect((await alliance({}, 'backup', 'verify', path.join(work, 'no-set'))).stderr).toMatch(
    /^VALIDATION: .*no-set is not a backup set: it has no manifest\.json\.\n$/,
  );
});
