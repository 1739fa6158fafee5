/** `make docs`: writes docs/statecharts.md from the machines. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderStatechartDocs } from './statechart-docs';

const target = path.resolve(__dirname, '../../docs/statecharts.md');
writeFileSync(target, renderStatechartDocs());
console.log(`wrote ${target}`);
