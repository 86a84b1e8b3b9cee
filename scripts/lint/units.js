/**
 * The architecture as data: every unit, the folder it lives in, the units it may import and
 * the packages it may use. Read by the lint rule (scripts/lint/boundaries.js), the
 * architecture tests (test/architecture/) and docs/ARCHITECTURE.md. Each unit also has its own
 * tsconfig.json (its environment: DOM, Node or neither), joined by project references.
 */

/** @typedef {{ name: string, dir: string, env: 'pure' | 'browser' | 'node', imports: string[], packages: RegExp[], about: string }} Unit */

const NODE_PACKAGES = /^(?!lit$|lit\/|chart\.js)/;

/** @type {Unit[]} Ordered from the bottom of the graph up; `dir` is relative to the repo root. */
export const UNITS = [
  {
    name: 'protocol',
    dir: 'src/protocol',
    env: 'pure',
    imports: [],
    packages: [/^@sinclair\/typebox$/],
    about:
      'probe wire format, HTTP/WebSocket contract (shapes, request schemas, the one results client), headless contract, every default and bound (data), the value and TURN URI grammars both programs read, the page URL',
  },
  {
    name: 'analysis',
    dir: 'src/analysis',
    env: 'pure',
    imports: ['protocol'],
    packages: [/^@sinclair\/typebox(\/compiler)?$/],
    about: 'measurement, grading, report schema, presentation helpers: pure functions over packet records',
  },
  {
    name: 'session',
    dir: 'src/session',
    env: 'browser',
    imports: ['protocol', 'analysis'],
    packages: [],
    about: 'one test end to end (config, connect, probe stream, collectors, getStats), environment injected',
  },
  {
    name: 'web',
    dir: 'src/web',
    env: 'browser',
    imports: ['protocol', 'analysis', 'session'],
    packages: [/^lit(\/|$)/, /^chart\.js(\/|$)/, /^simple-peer\/simplepeer\.min\.js$/, /^lean-qr(\/|$)/],
    about: 'the page: lit components, the pacing worker, audio',
  },
  {
    name: 'turn',
    dir: 'server/turn',
    env: 'node',
    imports: ['protocol'],
    packages: [NODE_PACKAGES],
    about:
      "the TURN relay: wire codec, Sans-IO core, peer policy, Node transport (its UDP sockets a small native addon, transport/native/udp.c, or Node's dgram on the portable data path)",
  },
  {
    name: 'host',
    dir: 'host',
    env: 'node',
    imports: [],
    packages: [NODE_PACKAGES],
    about: "what both Node programs share to host the page: the package's root, version and built page, and the page's headers",
  },
  {
    name: 'server',
    dir: 'server',
    env: 'node',
    imports: ['protocol', 'analysis', 'session', 'turn', 'host'],
    packages: [NODE_PACKAGES],
    about: '`callprobe serve`: its configuration, HTTP app, results store, reflector, alerts and help desk console',
  },
  {
    name: 'client',
    dir: 'client',
    env: 'node',
    imports: ['protocol', 'analysis', 'host'],
    packages: [NODE_PACKAGES],
    about: '`callprobe run` (and `--every`), `report` and `aggregate`: headless Chromium, the page host, the schedule and its spool',
  },
  {
    name: 'cli',
    dir: 'cli',
    env: 'node',
    imports: ['protocol', 'turn', 'host', 'server', 'client'],
    packages: [NODE_PACKAGES],
    about: 'the one command line (dist/cli/callprobe.js): every command and flag, handed to the server or the client',
  },
  {
    name: 'bench',
    dir: 'bench',
    env: 'node',
    imports: ['protocol', 'analysis', 'session', 'turn', 'server', 'client'],
    packages: [NODE_PACKAGES],
    about: 'benchmarks and the seeded impairment proxy',
  },
];

/** The unit a repo-relative path belongs to (longest folder prefix), or null (tests, configs). */
export function unitOf(relPath) {
  const p = relPath.replace(/\\/g, '/');
  let best = null;
  for (const u of UNITS) {
    if ((p === u.dir || p.startsWith(`${u.dir}/`)) && (best === null || u.dir.length > best.dir.length)) best = u;
  }
  return best;
}

/** Whether a file of unit `from` may import a file of unit `to` (a unit may import itself). */
export function mayImport(from, to) {
  return from.name === to.name || from.imports.includes(to.name);
}
