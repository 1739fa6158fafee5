// A project's documents under a key of its own: erasing the project shreds the key, and nothing
// it sealed opens again, on disk or in the database; another project and the call are untouched.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { readKeyRing } from '../../activities/crypto/key-ring';
import { DiskDocumentStore, DocumentMissingError, SqlDocumentStore, type DocumentStore } from '../../activities/documents/document-store';
import { DocumentCodec, DOCUMENTS_METADATA } from '../../gateway/document-codec';
import { bounds } from '../../domain/bounds';
import { projectOfWorkflowId } from '../../domain/ids';
import { testPayloadKeysFile } from '../helpers/environments';
import { databases } from './contract';

const ring = readKeyRing(testPayloadKeysFile);
const lin = 'project:alliance-115:TE2-0001';
const chen = 'project:alliance-115:TE2-0002';
const text = (seed: string): Buffer => Buffer.from(`${seed}：${'聯盟會員服務與技術移轉成果'.repeat(600)}`);
const freshDir = (): string => mkdtempSync(path.join(os.tmpdir(), 'alliance-project-documents-'));
const filesIn = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));

/** The contract both stores keep for a project's documents. */
async function shredsByProject(open: () => Promise<DocumentStore>): Promise<void> {
  const store = await open();
  const same = text('同一份文件');
  const [mine, theirs, shared] = [await store.put(same, lin), await store.put(same, chen), await store.put(same)];
  expect(new Set([mine, theirs, shared]).size).toBe(1);
  await store.put(text('林的報告'), lin);
  // Another process of the same cluster reads what this one stored, under the same project key.
  const other = await open();
  expect((await other.get(mine, lin)).equals(same)).toBe(true);
  // A project's document is not found in another project's scope, nor outside any.
  await expect(other.get(await store.put(text('僅陳'), chen), lin)).rejects.toThrow(DocumentMissingError);

  expect(await store.eraseScope(lin)).toBe(2);
  // Gone for every process, the one that held the key opened too; the others are untouched.
  await expect(other.get(mine, lin)).rejects.toThrow(/erased under the retention policy/);
  await expect(store.get(mine, lin)).rejects.toThrow(/erased under the retention policy/);
  expect((await other.get(theirs, chen)).equals(same)).toBe(true);
  expect((await other.get(shared)).equals(same)).toBe(true);
  expect(await store.eraseScope(lin)).toBe(0);
  await expect(store.eraseScope('call:alliance-115')).rejects.toThrow(/not a project's workflow id/);
  await Promise.all([store.close(), other.close()]);
}

describe("a project's documents, shredded with its key", () => {
  it('on disk: the key file goes first, the documents with it; a copy taken before no longer opens', async () => {
    const dir = freshDir();
    await shredsByProject(() => Promise.resolve(new DiskDocumentStore(dir, ring)));
    // A copy of a project's document and key kept elsewhere (a backup) is all a thief could hold:
    // after erasure the payload keys alone open nothing of it.
    const store = new DiskDocumentStore(dir, ring);
    const digest = await store.put(text('陳的計畫書'), chen);
    const copies = filesIn(dir)
      .filter((f) => f.includes(`${path.sep}projects${path.sep}`))
      .map((f) => [f, readFileSync(f)] as const);
    expect(copies.map(([f]) => path.basename(f))).toEqual(expect.arrayContaining([`sha256-${digest.slice(7)}`, 'key']));
    expect(copies).toHaveLength(4);
    for (const [, bytes] of copies) expect(bytes.includes(Buffer.from('陳的計畫書'))).toBe(false);
    expect(await store.eraseScope(chen)).toBe(3);
    expect(filesIn(dir).some((f) => f.includes(`${path.sep}projects${path.sep}`))).toBe(false);
    // The document's copy put back without its key: the payload keys alone do not open it.
    const [file, bytes] = copies.find(([f]) => f.endsWith(digest.slice(7)))!;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    await expect(new DiskDocumentStore(dir, ring).get(digest, chen)).rejects.toThrow(/erased under the retention policy/);
  });

  it("two processes storing a project's first documents at once agree on one key", async () => {
    const dir = freshDir();
    const stores = Array.from({ length: 4 }, () => new DiskDocumentStore(dir, ring));
    const digests = await Promise.all(stores.map((s, i) => s.put(text(`第${i}份`), lin)));
    const reader = new DiskDocumentStore(dir, ring);
    for (const [i, digest] of digests.entries()) expect((await reader.get(digest, lin)).equals(text(`第${i}份`))).toBe(true);
  });

  describe.each(databases)('in the database on %s', (_name, database) => {
    it('keeps the same contract; a row altered or moved to another project does not open', async () => {
      const driver = await database('project-documents');
      await shredsByProject(() => SqlDocumentStore.open(driver(), ring, 'test database'));
      const store = await SqlDocumentStore.open(driver(), ring, 'test database');
      const theirs = await store.put(text('陳'), chen);
      const mine = await store.put(text('林'), lin);
      // Another project's sealed row copied over one of this project's: sealed under the other key.
      const raw = driver();
      const row = await raw.get('SELECT sealed FROM project_documents WHERE scope = ? AND digest = ?', [chen, theirs]);
      await raw.run('UPDATE project_documents SET sealed = ? WHERE scope = ? AND digest = ?', [String(row!.sealed), lin, mine]);
      await raw.close();
      await expect(store.get(mine, lin)).rejects.toThrow(/does not open/);
      await store.close();
    });
  });
});

describe("the codec stores a payload's documents in the scope its serialization context names", () => {
  const json = (value: unknown): Payload => ({ metadata: { [METADATA_ENCODING_KEY]: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) });
  const scopesOf = (payload: Payload): (string | undefined)[] =>
    (JSON.parse(Buffer.from(payload.metadata![DOCUMENTS_METADATA]!).toString()) as { scope?: string }[]).map((r) => r.scope);

  it('a project, its notices and its activities in the project; a call in none; any reader puts them back', async () => {
    expect([lin, `notice:${lin}:decision-approved`, 'call:alliance-115', 'exhibition:alliance-115', 'retention-sweep:q'].map(projectOfWorkflowId)).toEqual([
      lin,
      lin,
      undefined,
      undefined,
      undefined,
    ]);
    const dir = freshDir();
    const codec = new DocumentCodec(new DiskDocumentStore(dir, ring), bounds.documents);
    const long = json({ coreTechnology: text('核心').toString() });
    const [inProject] = await codec.encode([long], { type: 'workflow', namespace: 'default', workflowId: lin });
    const [inNotice] = await codec.encode([long], { type: 'activity', namespace: 'default', workflowId: `notice:${lin}:x`, isLocal: false });
    const [inCall] = await codec.encode([long], { type: 'workflow', namespace: 'default', workflowId: 'call:alliance-115' });
    const [unknown] = await codec.encode([long]);
    expect([...scopesOf(inProject!), ...scopesOf(inNotice!), ...scopesOf(inCall!), ...scopesOf(unknown!)]).toEqual([lin, lin, undefined, undefined]);
    const reader = new DocumentCodec(new DiskDocumentStore(dir, ring), bounds.documents);
    for (const encoded of [inProject!, inCall!]) expect(Buffer.from((await reader.decode([encoded]))[0]!.data!).equals(Buffer.from(long.data!))).toBe(true);
    await new DiskDocumentStore(dir, ring).eraseScope(lin);
    await expect(new DocumentCodec(new DiskDocumentStore(dir, ring), bounds.documents).decode([inProject!])).rejects.toThrow(
      /erased under the retention policy/,
    );
    expect((await reader.decode([inCall!])).length).toBe(1);
  });

  it("reads a reference recorded before scopes from the shared store, or else from the payload's own project", async () => {
    const dir = freshDir();
    const codec = new DocumentCodec(new DiskDocumentStore(dir, ring), bounds.documents);
    const long = json({ coreTechnology: text('舊紀錄').toString() });
    const [inProject] = await codec.encode([long], { type: 'workflow', namespace: 'default', workflowId: chen });
    // The same payload as a history recorded before scopes carries it: the reference names no project.
    const references = JSON.parse(Buffer.from(inProject!.metadata![DOCUMENTS_METADATA]!).toString()) as { scope?: string }[];
    const recorded = {
      ...inProject!,
      metadata: { ...inProject!.metadata, [DOCUMENTS_METADATA]: Buffer.from(JSON.stringify(references.map(({ scope: _s, ...r }) => r))) },
    };
    const fresh = () => new DocumentCodec(new DiskDocumentStore(dir, ring), bounds.documents);
    const [decoded] = await fresh().decode([recorded], { type: 'workflow', namespace: 'default', workflowId: chen });
    expect(Buffer.from(decoded!.data!).equals(Buffer.from(long.data!))).toBe(true);
    await expect(fresh().decode([recorded])).rejects.toThrow(DocumentMissingError);
    await expect(fresh().decode([recorded], { type: 'workflow', namespace: 'default', workflowId: lin })).rejects.toThrow(DocumentMissingError);
  });
});
