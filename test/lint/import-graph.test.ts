// The import graph's check, as `make lint` runs it: on this tree it passes; a circle or a crossed
// layer added on purpose to a scratch copy of the rooms fails it, naming the files.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const checker = path.join(__dirname, '..', '..', 'tools', 'lint', 'import-graph.mjs');
const run = (root?: string) => spawnSync(process.execPath, [checker, ...(root ? [root] : [])], { encoding: 'utf8' });

function scratch(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'import-graph-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

describe('the import graph (tools/lint/import-graph.mjs)', () => {
  const made: string[] = [];
  afterAll(() => made.forEach((root) => rmSync(root, { recursive: true, force: true })));

  it('finds no circle and no crossed layer in this tree', () => {
    const result = run();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('fails on a circle between files, even one of types only, naming its files', () => {
    const root = scratch({
      'server/routes/a.ts': "import { b } from '../services/b';\nexport const a = b + 1;\n",
      'server/services/b.ts': "import type { A } from './c';\nexport const b = 1;\nexport type B = A;\n",
      'server/services/c.ts': "import type { a } from '../routes/a';\nexport type A = typeof a;\n",
      'server/plain.ts': "import { b } from './services/b';\nexport const plain = b;\n",
    });
    made.push(root);
    const result = run(root);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('import circle of 3 files: server/routes/a.ts → server/services/b.ts → server/services/c.ts');
    expect(result.stderr).not.toContain('server/plain.ts');
  });

  it('finds a circle in a folder outside the rooms too, written with compiled names (./x.js) or through an index', () => {
    const root = scratch({
      'scratch/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
      'scratch/b.ts': "import { c } from './c';\nexport const b = 1;\nexport const d = c;\n",
      'scratch/c/index.ts': "import { a } from '../a';\nexport const c = a;\n",
    });
    made.push(root);
    const result = run(root);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('import circle of 3 files: scratch/a.ts → scratch/b.ts → scratch/c/index.ts');
  });

  it('fails on an import its room may not make, and on a value import where only types may cross', () => {
    const root = scratch({
      'domain/rule.ts': 'export const rule = 1;\n',
      'activities/store.ts': "import { rule } from '../domain/rule';\nexport const store = rule;\nexport type Store = { rule: number };\n",
      'client/cli.ts': "import { store } from '../activities/store';\nexport const cli = store;\n",
      'workflows/typed.ts': "import type { Store } from '../activities/store';\nexport type Typed = Store;\n",
      'workflows/valued.ts': "import { store } from '../activities/store';\nexport const valued = store;\n",
    });
    made.push(root);
    const result = run(root);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('client/cli.ts:1: client/ imports activities/store.ts: client/ may not import it');
    expect(result.stderr).toContain('workflows/valued.ts:1: workflows/ imports activities/store.ts: workflows/ may name its types only (import type)');
    expect(result.stderr).not.toContain('workflows/typed.ts');
    expect(result.stderr).not.toContain('activities/store.ts:1');
  });
});
