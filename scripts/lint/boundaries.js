/**
 * ESLint rules that keep the architecture (scripts/lint/units.js) true:
 * - `unit-imports`: a file may import only its own unit and the units it is allowed to, and
 *   only the packages its unit may use (Node built-ins only in Node units).
 * - `server-floors`: inside server/, a file imports only its own floor and the floors below
 *   (SERVER_FLOORS, bottom to top), and every file stands on a floor.
 */
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_FLOORS, UNITS, floorOf, mayImport, unitOf } from './units.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function packageName(spec) {
  if (spec.startsWith('node:')) return spec;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Calls `check(node, spec)` for every module a file names: imports, re-exports, dynamic imports, type imports. */
function importVisitors(check) {
  return {
    ImportDeclaration: (node) => check(node, node.source.value),
    ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
    ExportAllDeclaration: (node) => check(node, node.source.value),
    ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    TSImportType: (node) => {
      const arg = node.argument?.literal ?? node.argument;
      if (arg && arg.type === 'Literal') check(node, arg.value);
    },
  };
}

const FLOOR_ORDER = SERVER_FLOORS.map((f) => f.name).join(' → ');

const serverFloors = {
  meta: {
    type: 'problem',
    docs: { description: 'imports inside server/ run down its floors (SERVER_FLOORS in scripts/lint/units.js), never up' },
    schema: [],
    messages: {
      up: "server/'s floor '{{from}}' may not import '{{spec}}' on the floor '{{to}}' above it (floors, bottom to top: {{order}}): move the shared part down, or pass it in from above",
      unplaced: "{{file}} stands on none of server/'s floors: place its folder in SERVER_FLOORS (scripts/lint/units.js)",
    },
  },
  create(context) {
    const file = relative(ROOT, context.filename).replace(/\\/g, '/');
    const from = floorOf(file);
    if (from === null) return {};
    if (from === -1) return { Program: (node) => context.report({ node, messageId: 'unplaced', data: { file } }) };
    return importVisitors((node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const to = floorOf(relative(ROOT, join(dirname(join(ROOT, file)), spec)));
      if (to === null || to <= from) return;
      const data = { from: SERVER_FLOORS[from].name, to: SERVER_FLOORS[to].name, spec, order: FLOOR_ORDER };
      context.report({ node, messageId: 'up', data });
    });
  },
};

const unitImports = {
  meta: {
    type: 'problem',
    docs: { description: 'imports must follow the unit graph in scripts/lint/units.js' },
    schema: [],
    messages: {
      unit: "unit '{{from}}' may not import unit '{{to}}' ({{spec}}); it may import: {{allowed}}",
      outside: "unit '{{from}}' may not import '{{spec}}', which lies outside every unit",
      pkg: "unit '{{from}}' may not use package '{{pkg}}' ({{env}} unit)",
    },
  },
  create(context) {
    const file = relative(ROOT, context.filename);
    const from = unitOf(file);
    if (from === null) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      if (spec.startsWith('.')) {
        const target = relative(ROOT, join(dirname(join(ROOT, file)), spec));
        const to = unitOf(target);
        if (to === null) {
          context.report({ node, messageId: 'outside', data: { from: from.name, spec } });
        } else if (!mayImport(from, to)) {
          context.report({ node, messageId: 'unit', data: { from: from.name, to: to.name, spec, allowed: from.imports.join(', ') || 'nothing' } });
        }
        return;
      }
      const pkg = packageName(spec);
      const isNodeBuiltin = spec.startsWith('node:');
      const ok = isNodeBuiltin ? from.env === 'node' : from.packages.some((re) => re.test(spec));
      if (!ok) context.report({ node, messageId: 'pkg', data: { from: from.name, pkg, env: from.env } });
    };
    return importVisitors(check);
  },
};

export const plugin = { meta: { name: 'callprobe' }, rules: { 'unit-imports': unitImports, 'server-floors': serverFloors } };

/** Globals and calls a pure unit (analysis, protocol) may not use: no clock, timer, randomness, DOM or Node. */
export const PURE_RULES = {
  'no-restricted-globals': [
    'error',
    ...[
      'setTimeout',
      'setInterval',
      'setImmediate',
      'clearTimeout',
      'clearInterval',
      'queueMicrotask',
      'requestAnimationFrame',
      'window',
      'document',
      'navigator',
      'location',
      'process',
      'Buffer',
      'require',
      'fetch',
      'WebSocket',
      'RTCPeerConnection',
      'crypto',
    ].map((name) => ({ name, message: 'pure units take time, randomness and I/O as arguments' })),
  ],
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: 'pure units take the clock as an argument' },
    { object: 'performance', property: 'now', message: 'pure units take the clock as an argument' },
    { object: 'Math', property: 'random', message: 'pure units take randomness as an argument' },
    { object: 'globalThis', message: 'pure units use no global state' },
  ],
  'no-restricted-syntax': [
    'error',
    { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'new Date() reads the clock: pass the time in' },
  ],
};

export const PURE_DIRS = UNITS.filter((u) => u.env === 'pure').map((u) => `${u.dir}/**/*.ts`);
