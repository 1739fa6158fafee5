import { mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { readKeyRing } from '../../activities/crypto/key-ring';
import { DiskDocumentStore, DocumentMissingError, SqlDocumentStore, digestOf, type DocumentStore } from '../../activities/documents/document-store';
import { DocumentCodec, DOCUMENTS_ENCODING, DOCUMENTS_METADATA } from '../../gateway/document-codec';
import { serviceDataConverter } from '../../gateway/payload-codec';
import { bounds } from '../../domain/bounds';
import { testPayloadKeysFile } from '../helpers/environments';
import { databases } from './contract';

const ring = readKeyRing(testPayloadKeysFile);
const json = (value: unknown): Payload => ({ metadata: { [METADATA_ENCODING_KEY]: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) });
const valueOf = (payload: Payload): unknown => JSON.parse(Buffer.from(payload.data!).toString('utf8'));
const freshDir = (): string => mkdtempSync(path.join(os.tmpdir(), 'alliance-documents-'));
const filesIn = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));

/** 20,000 characters of Chinese (60 KB in UTF-8): the longest text an application or report may carry. */
const longText = (seed: string): string => `${seed}：${'產學技術聯盟成果與會員服務說明'.repeat(1_400)}`.slice(0, bounds.text);
const members = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `${'會員廠商股份有限公司'.repeat(25)}${i}`, kind: 'member', feeNtd: 100_000 }));

const codecOver = (store: DocumentStore) => new DocumentCodec(store, bounds.documents);

describe('documents by reference (DocumentCodec over a content-addressed store)', () => {
  it('passes small payloads and non-JSON payloads untouched', async () => {
    const codec = codecOver(new DiskDocumentStore(freshDir(), ring));
    const small = json({ summary: 'short', kpis: { members: 12 } });
    const binary: Payload = { metadata: { [METADATA_ENCODING_KEY]: Buffer.from('binary/plain') }, data: Buffer.alloc(100_000, 7) };
    const [a, b] = await codec.encode([small, binary]);
    expect(a).toBe(small);
    expect(b).toBe(binary);
  });

  it('keeps a large payload small in history, stores each long part once, and gives back exactly the same bytes', async () => {
    const dir = freshDir();
    const codec = codecOver(new DiskDocumentStore(dir, ring));
    const application = { title: '智慧製造聯盟', coreTechnology: longText('核心技術'), members: members(1_000) };
    const carried = {
      application,
      snapshot: { context: { application, reports: [{ summary: longText('第一年'), kpis: { members: 1000 } }, { summary: longText('第二年') }] } },
    };
    const original = json(carried);
    const [encoded] = await codec.encode([original]);
    expect(Buffer.from(encoded!.metadata![METADATA_ENCODING_KEY]!).toString()).toBe(DOCUMENTS_ENCODING);
    const sizes = { original: original.data!.length, inHistory: encoded!.data!.length + encoded!.metadata![DOCUMENTS_METADATA]!.length };
    console.log(`a carried project of ${(sizes.original / 1e6).toFixed(2)} MB keeps ${sizes.inHistory} bytes in the payload; ${filesIn(dir).length} documents`);
    expect(sizes.inHistory).toBeLessThan(4 * 1024);
    // The application appears twice but is one document; its text and member list are documents of their own.
    const again = filesIn(dir).length;
    await codec.encode([json({ application })]);
    expect(filesIn(dir).length).toBe(again);

    // Decoded by another process (no memory of what it stored): the very bytes that went in.
    const [decoded] = await codecOver(new DiskDocumentStore(dir, ring)).decode([encoded!]);
    expect(Buffer.from(decoded!.data!).equals(Buffer.from(original.data!))).toBe(true);
    expect(Buffer.from(decoded!.metadata![METADATA_ENCODING_KEY]!).toString()).toBe('json/plain');
    expect(decoded!.metadata![DOCUMENTS_METADATA]).toBeUndefined();
  });

  it('never takes a reference from the data: values that look like references, and __proto__ keys, come back as they were', async () => {
    const dir = freshDir();
    const codec = codecOver(new DiskDocumentStore(dir, ring));
    const [stored] = await codec.encode([json({ text: longText('secret') })]);
    const digest = (JSON.parse(Buffer.from(stored!.metadata![DOCUMENTS_METADATA]!).toString()) as { digest: string }[])[0]!.digest;
    const lookalike = JSON.parse(
      `{"__proto__": {"polluted": true}, "references": [{"path": [], "digest": "${digest}"}], "value": null, "text": ${JSON.stringify(longText('mine'))}, "pad": ${JSON.stringify('x'.repeat(20_000))}}`,
    ) as unknown;
    const original = json(lookalike);
    const [decoded] = await codec.decode(await codec.encode([original]));
    expect(Buffer.from(decoded!.data!).equals(Buffer.from(original.data!))).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(valueOf(decoded!), '__proto__')).toBe(true);
  });

  it('puts a document back only where its codec left a placeholder: crafted references fail, reaching no prototype', async () => {
    const dir = freshDir();
    const codec = codecOver(new DiskDocumentStore(dir, ring));
    const [stored] = await codec.encode([json({ text: longText('known') })]);
    const digest = (JSON.parse(Buffer.from(stored!.metadata![DOCUMENTS_METADATA]!).toString()) as { digest: string }[])[0]!.digest;
    const crafted = (data: unknown, references: unknown): Payload => ({
      metadata: { [METADATA_ENCODING_KEY]: Buffer.from(DOCUMENTS_ENCODING), [DOCUMENTS_METADATA]: Buffer.from(JSON.stringify(references)) },
      data: Buffer.from(JSON.stringify(data)),
    });
    for (const path of [['__proto__', 'polluted'], ['constructor', 'prototype', 'polluted'], ['text']]) {
      await expect(codec.decode([crafted({ text: 'not a placeholder' }, [{ path, digest }])])).rejects.toThrow(DocumentMissingError);
    }
    await expect(codec.decode([crafted({}, [{ path: [{}], digest }])])).rejects.toThrow(/not in the form this codec writes/);
    await expect(
      codec.decode([
        crafted(
          { a: null },
          Array.from({ length: 100_001 }, () => ({ path: ['a'], digest })),
        ),
      ]),
    ).rejects.toThrow(/more than 100000 document references/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('documents by reference: wholes, repairs and seals', () => {
  it('moves out a payload that is long only as a whole (many small parts), and walks no deeper than any schema nests', async () => {
    const dir = freshDir();
    const codec = codecOver(new DiskDocumentStore(dir, ring));
    const manySmall = json(Array.from({ length: 2_000 }, (_, i) => ({ projectId: `TE2-${i}`, type: 'reviewer.assign' })));
    const [encoded] = await codec.encode([manySmall]);
    expect(encoded!.data!.length).toBeLessThan(1024);
    const [decoded] = await codec.decode([encoded!]);
    expect(Buffer.from(decoded!.data!).equals(Buffer.from(manySmall.data!))).toBe(true);
    let deep: unknown = longText('deep');
    for (let i = 0; i < 3_000; i++) deep = { d: deep };
    const nested = json(deep);
    const [deepDecoded] = await codec.decode(await codec.encode([nested]));
    expect(Buffer.from(deepDecoded!.data!).equals(Buffer.from(nested.data!))).toBe(true);
  });

  it('writes a damaged document again when it is stored again', async () => {
    const dir = freshDir();
    const store = new DiskDocumentStore(dir, ring);
    const bytes = Buffer.from(longText('修復'));
    const digest = await store.put(bytes);
    const [file] = filesIn(dir);
    writeFileSync(file!, Buffer.alloc(0));
    await expect(store.get(digest)).rejects.toThrow(DocumentMissingError);
    await store.put(bytes);
    expect((await store.get(digest)).equals(bytes)).toBe(true);
  });

  it('refuses a document altered, moved to another address, sealed under a key it does not have, or missing, naming the digest', async () => {
    const dir = freshDir();
    const codec = codecOver(new DiskDocumentStore(dir, ring));
    const [encoded] = await codec.encode([json({ a: longText('甲'), b: longText('乙') })]);
    const [first, second] = filesIn(dir).sort();
    const fresh = () => codecOver(new DiskDocumentStore(dir, ring));

    const kept = readFileSync(first!);
    const altered = Buffer.from(kept);
    altered.writeUInt8(altered.readUInt8(altered.length - 20) ^ 1, altered.length - 20);
    writeFileSync(first!, altered);
    await expect(fresh().decode([encoded!])).rejects.toThrow(/document sha256:[0-9a-f]{64} in .* does not open/);
    writeFileSync(first!, readFileSync(second!));
    await expect(fresh().decode([encoded!])).rejects.toThrow(DocumentMissingError);
    writeFileSync(first!, kept);
    await expect(fresh().decode([encoded!])).resolves.toHaveLength(1);

    const otherKeys = path.join(freshDir(), 'keys.json');
    writeFileSync(otherKeys, JSON.stringify({ current: 'other', keys: [{ id: 'other', key: Buffer.alloc(32, 1).toString('base64') }] }));
    await expect(codecOver(new DiskDocumentStore(dir, readKeyRing(otherKeys))).decode([encoded!])).rejects.toThrow(/which this process was not given/);

    renameSync(first!, `${first!}.away`);
    await expect(fresh().decode([encoded!])).rejects.toThrow(/document sha256:[0-9a-f]{64} is not in .*ALLIANCE_DOCUMENTS_DIR/);
  });

  it('seals what it stores: neither the history payload nor the store holds the text in the clear', async () => {
    const dir = freshDir();
    const converter = serviceDataConverter(ring, new DiskDocumentStore(dir, ring));
    const marker = '機密核心技術說明';
    let payloads = [json({ coreTechnology: `${marker}${longText('x')}` })];
    for (const codec of converter.payloadCodecs!) payloads = await codec.encode(payloads);
    expect(Buffer.from(payloads[0]!.data!).includes(Buffer.from(marker))).toBe(false);
    for (const file of filesIn(dir)) expect(readFileSync(file).includes(Buffer.from(marker))).toBe(false);
    for (const codec of [...converter.payloadCodecs!].reverse()) payloads = await codec.decode(payloads);
    expect((valueOf(payloads[0]!) as { coreTechnology: string }).coreTechnology.startsWith(marker)).toBe(true);
  });

  describe.each(databases)('the documents table on %s', (_name, database) => {
    it('stores once under the digest, gives back what went in, refuses an altered row', async () => {
      const driver = await database('documents');
      const store = await SqlDocumentStore.open(driver(), ring, 'test database');
      const bytes = Buffer.from(longText('資料庫'));
      const digest = await store.put(bytes);
      expect(digest).toBe(digestOf(bytes));
      await expect(store.put(bytes)).resolves.toBe(digest);
      expect((await store.get(digest)).equals(bytes)).toBe(true);
      const other = await store.put(Buffer.from('another document'));
      const raw = driver();
      const row = await raw.get('SELECT sealed FROM documents WHERE digest = ?', [other]);
      await raw.run('UPDATE documents SET sealed = ? WHERE digest = ?', [String(row!.sealed), digest]);
      await raw.close();
      await expect(store.get(digest)).rejects.toThrow(/does not open/);
      await expect(store.get(`sha256:${'0'.repeat(64)}`)).rejects.toThrow(/is not in test database/);
      await store.close();
    });
  });
});
