import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderStatechartDocs } from '../scripts/statechart-docs';

it('docs/statecharts.md matches the machines (run `make docs` after changing a machine)', () => {
  const committed = readFileSync(path.resolve(__dirname, '../docs/statecharts.md'), 'utf8');
  expect(committed).toBe(renderStatechartDocs());
});
