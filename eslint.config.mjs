// Linting as Temporal's samples do: type-aware rules everywhere, Node built-ins banned where code
// runs in the deterministic workflow sandbox (workflows/, machines/, and the domain they import).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { closedRooms, layers, rooms } from './tools/lint/layers.mjs';

const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

// Code the workflow sandbox runs (workflows and what they import) must stay deterministic.
const sandboxRooms = ['workflows', 'machines', 'messages', 'domain'];
const sandboxPaths = nodeBuiltins.flatMap((name) => [
  { name, message: 'Workflow sandbox code must stay deterministic: no Node built-ins.' },
  { name: `node:${name}`, message: 'Workflow sandbox code must stay deterministic: no Node built-ins.' },
]);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.venv/**', 'data/**', 'coverage/**', '*.config.js', 'jest.sequencer.js', 'eslint.config.mjs', 'tools/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The rooms' layers (tools/lint/layers.mjs): each room's closed rooms as restricted import
  // patterns, so the editor shows a wrong import where it is written; `make lint` also checks the
  // resolved graph (tools/lint/import-graph.mjs: circles, and imports of types only).
  ...rooms.map((room) => ({
    files: [`${room}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: sandboxRooms.includes(room) ? sandboxPaths : [],
          patterns: closedRooms(room).map((other) => ({
            regex: `^(\\.\\./)+${other}(/|$)`,
            message: `${room}/ may ${layers[room].types.includes(other) ? 'name only the types of' : 'not import'} ${other}/ (tools/lint/layers.mjs; CONTRIBUTING.md, "Rooms and layers")`,
            ...(layers[room].types.includes(other) ? { allowTypeImports: true } : {}),
          })),
        },
      ],
    },
  })),
  {
    files: sandboxRooms.map((room) => `${room}/**/*.ts`),
    rules: {
      // Locale-aware comparison follows the host's ICU data and locale: a replay elsewhere could order differently.
      'no-restricted-properties': [
        'error',
        { property: 'localeCompare', message: 'Sandbox code must order the same on every host: use byCodePoint from domain/order.ts.' },
      ],
    },
  },
  {
    // Small files and functions: a file a reader can hold, a function that fits a screen or two.
    files: [...rooms, 'test'].map((room) => `${room}/**/*.ts`),
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 120 }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
