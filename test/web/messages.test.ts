import { z } from 'zod';
import { DocumentName } from '../../domain/documents';
import { poolFromRows } from '../../domain/pool-sheet';
import { localMessage, parseFor, zodMessages } from '../../server/web/messages';

describe('validation messages in the page language', () => {
  it("says zod's own messages in zod 4's zh-TW locale, and the project's own from the catalogue", () => {
    const parsed = parseFor('zh-TW', z.object({ n: z.number() }), { n: 'lots' });
    expect(parsed.error?.issues[0]?.message).toBe('無效的輸入值：預期為數字，但收到文字');
    expect(parseFor('en', z.object({ n: z.number() }), { n: 'lots' }).error?.issues[0]?.message).toMatch(/expected number/);
    expect(localMessage('zh-TW', 'expected some text')).toBe('請填寫內容');
    expect(localMessage('zh-TW', 'expected at most 20,000 characters')).toBe('至多 20,000 個字元');
    expect(localMessage('en', 'expected some text')).toBe('expected some text');
    const name = DocumentName.safeParse('a/b.pdf');
    expect(localMessage('zh-TW', name.error!.issues[0]!.message)).toBe('檔名不可含斜線或控制字元');
  });

  it("says a spreadsheet's bad row, and a document refused, in Chinese", () => {
    const read = poolFromRows(
      [
        ['id', 'name', 'email', 'institutionId', 'divisions'],
        ['rev-1', '王', 'nope', 'NTU', 'TE2'],
      ],
      zodMessages('zh-TW'),
    );
    expect(read.ok ? [] : read.problems.map((p) => localMessage('zh-TW', p))).toEqual(['第 2 列「電子郵件」：無效的 郵件地址']);
    expect(localMessage('zh-TW', 'The institutionLetter was refused: a institutionLetter is taken as PDF; these bytes are DOCX.')).toBe(
      '機構公文未受理：僅接受 PDF，此檔案為 DOCX。',
    );
    expect(localMessage('zh-TW', 'document.attach was refused: A proposal is attached while the application is a draft.')).toBe(
      '上傳文件未執行：計畫書僅能於申請案為草稿時上傳。',
    );
    expect(localMessage('zh-TW', 'A proposal is attached by the pi, not by the institution.')).toBe('計畫書由計畫主持人上傳，不是申請機構。');
  });
});
