// Retiring a payload key, outside the ledger: the documents (a call's, under the payload keys) and
// the projects' document keys, and the browser sessions' refresh tokens and addresses, sealed
// again under the current key; afterwards the current key alone opens every one of them.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { textSealer, type KeyRing } from '../../activities/crypto/key-ring';
import { DiskDocumentStore, SqlDocumentStore, type DocumentStore } from '../../activities/documents/document-store';
import { SqlSessionStore } from '../../activities/sessions/session-store';
import { verifiedEmailOf, withVerifiedEmail } from '../../domain/actor';
import { retiringKeys } from '../fixtures/retiring-keys';
import { databases } from './contract';

const { underA: ringA, rotated: ringAB, onlyB: ringB } = retiringKeys;
const project = 'project:alliance-115:TE2-0001';
const text = (seed: string) => Buffer.from(`${seed}：${'聯盟技術移轉'.repeat(500)}`);

/** Stores a call's document and a project's under A, retires A through a store under A and B, reads both back under B alone. */
async function retiresFrom(open: (ring: KeyRing) => Promise<DocumentStore>): Promise<void> {
  const underA = await open(ringA);
  const [ofCall, ofProject] = [await underA.put(text('名冊')), await underA.put(text('計畫書'), project)];
  await underA.close();
  const retiring = await open(ringAB);
  expect(await retiring.resealUnder('A-2026')).toEqual({ documents: 1, projectKeys: 1 });
  expect(await retiring.resealUnder('A-2026')).toEqual({ documents: 0, projectKeys: 0 });
  await retiring.close();
  const onlyB = await open(ringB);
  expect((await onlyB.get(ofCall)).equals(text('名冊'))).toBe(true);
  expect((await onlyB.get(ofProject, project)).equals(text('計畫書'))).toBe(true);
  await onlyB.close();
}

describe('a payload key retired from the documents and the sessions', () => {
  it('on disk: no file is left whose first line names the retired key', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'alliance-reseal-documents-'));
    await retiresFrom((ring) => Promise.resolve(new DiskDocumentStore(dir, ring)));
    const firstLines = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => readFileSync(path.join(e.parentPath, e.name)).toString('latin1').split('\n')[0]);
    expect(firstLines.sort()).toEqual(['B-2027', 'B-2027', 'project key']);
  });

  describe.each(databases)('in the database on %s', (_name, fresh) => {
    it('documents and document keys', async () => {
      const open = await fresh('reseal_documents');
      await retiresFrom((ring) => SqlDocumentStore.open(open(), ring, 'test database'));
    });

    it("sessions' refresh tokens and verified addresses", async () => {
      const open = await fresh('reseal_sessions');
      const actor = withVerifiedEmail({ role: 'pi' as const, id: 'pi-yeh' }, 'yeh@ntu.edu.tw');
      const underA = await SqlSessionStore.open(open(), { sealer: textSealer(ringA) });
      const made = await underA.create({ subject: 'sub-yeh', providerSession: 'sid-1', actor, refreshToken: 'refresh-yeh', expiresAt: Date.now() + 60_000 });
      await underA.create({
        subject: 'sub-kao',
        providerSession: 'sid-2',
        actor: { role: 'office', id: 'office-kao' },
        refreshToken: null,
        expiresAt: Date.now() + 60_000,
      });
      await underA.close();
      const retiring = await SqlSessionStore.open(open(), { sealer: textSealer(ringAB) });
      expect(await retiring.resealUnder('A-2026')).toBe(1);
      expect(await retiring.resealUnder('A-2026')).toBe(0);
      await retiring.close();
      const onlyB = await SqlSessionStore.open(open(), { sealer: textSealer(ringB) });
      const session = await onlyB.get(made.id);
      expect([session?.refreshToken, verifiedEmailOf(session!.actor)]).toEqual(['refresh-yeh', 'yeh@ntu.edu.tw']);
      expect(JSON.stringify(session)).not.toContain('A-2026');
      await onlyB.close();
    });
  });
});
