#!/usr/bin/env node
// The import graph of the source rooms, resolved file to file: fails (exit 1) on any circle between
// files and on any import the room table (layers.mjs) does not allow. Type-only imports count for
// circles (a circle of types is still a tangle to read) but may cross into a room's `types` list.
// Usage: node tools/lint/import-graph.mjs [root]   (root: the repository, by default this one)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { layers, rooms } from './layers.mjs';

/** Folders never read: installed, built, recorded or run-time data, and the Go verifier. */
const skipped = new Set(['node_modules', 'dist', 'data', 'coverage', 'test-artifacts', 'histories', 'ledger-verifier']);

/** Every TypeScript file of the tree, whatever folder it is in (a file outside the rooms has no layer, but takes part in circles). */
function sourceFiles(root) {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name.startsWith('.') || skipped.has(name)) continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(path);
    }
  };
  walk(root);
  return files;
}

function resolveImport(from, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  // Written with the compiled name (`./x.js`) as NodeNext code does, or without an extension as this tree does.
  const typescript = base.replace(/\.(c|m)?js$/, '.$1ts');
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base, typescript]) {
    if (existsSync(candidate) && statSync(candidate).isFile() && candidate.endsWith('.ts')) return candidate;
  }
  return undefined;
}

/** Every relative import of a file, with whether it names types only. */
function importsOf(path) {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: isTypeOnly(node), line: lineOf(source, node) });
    } else if (
      ts.isCallExpression(node) &&
      node.arguments.length === 1 &&
      ts.isStringLiteral(node.arguments[0]) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false, line: lineOf(source, node) });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true, line: lineOf(source, node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function isTypeOnly(node) {
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return true;
    const clause = node.exportClause;
    return !!clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
  }
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

const lineOf = (source, node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;

/** Strongly connected components of more than one file (Tarjan), each sorted, largest first. */
export function circles(graph) {
  let index = 0;
  const stack = [];
  const state = new Map();
  const found = [];
  const connect = (node) => {
    const entry = { index, low: index, onStack: true };
    index += 1;
    state.set(node, entry);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const seen = state.get(next);
      if (!seen) {
        connect(next);
        entry.low = Math.min(entry.low, state.get(next).low);
      } else if (seen.onStack) entry.low = Math.min(entry.low, seen.index);
    }
    if (entry.low === entry.index) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        state.get(member).onStack = false;
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? new Set()).has(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!state.has(node)) connect(node);
  return found.sort((a, b) => b.length - a.length);
}

export function check(root) {
  const graph = new Map();
  const problems = [];
  const roomOf = (path) => relative(root, path).split(sep)[0];
  for (const file of sourceFiles(root)) {
    const targets = new Set();
    const room = roomOf(file);
    for (const { specifier, typeOnly, line } of importsOf(file)) {
      const target = resolveImport(file, specifier);
      if (!target) continue;
      targets.add(target);
      const other = roomOf(target);
      const rule = layers[room];
      if (!rule || other === room || !layers[other]) continue;
      if (rule.values.includes(other) || (typeOnly && rule.types.includes(other))) continue;
      const how = rule.types.includes(other) ? 'may name its types only (import type)' : 'may not import it';
      problems.push(`${relative(root, file)}:${line}: ${room}/ imports ${relative(root, target)}: ${room}/ ${how} (tools/lint/layers.mjs)`);
    }
    graph.set(file, targets);
  }
  for (const component of circles(graph)) {
    problems.push(`import circle of ${component.length} files: ${component.map((f) => relative(root, f)).join(' → ')}`);
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
  const problems = check(root);
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    console.error(`${problems.length} import problem(s): see CONTRIBUTING.md, "Rooms and layers"`);
    process.exit(1);
  }
  console.log('imports: no circle, every layer kept');
}
