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
    name: 'common',
    dir: 'server/common',
    env: 'node',
    imports: ['protocol'],
    packages: [NODE_PACKAGES],
    about:
      "the shared Node floor under the relay and the server: the data plane's messages, the doors (per source, per network, the reserve), the source key, how `serve` is launched",
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
    name: 'turn',
    dir: 'server/turn',
    env: 'node',
    imports: ['protocol', 'common', 'host'],
    packages: [NODE_PACKAGES],
    about:
      "the TURN relay: wire codec, Sans-IO core, peer policy, Node transport (its UDP sockets a small native addon, transport/native/udp.c, or Node's dgram on the portable data path)",
  },
  {
    name: 'server',
    dir: 'server',
    env: 'node',
    imports: ['protocol', 'analysis', 'session', 'common', 'turn', 'host'],
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
    imports: ['protocol', 'analysis', 'session', 'common', 'turn', 'server', 'client'],
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

/** @typedef {{ name: string, paths: string[], about: string }} Floor */

/**
 * `server/`'s inner order: its floors, bottom to top (`paths` relative to the repo root; a
 * folder ends with `/`). A file under server/ may import its own floor and the floors below,
 * never one above (the lint rule `callprobe/server-floors`, scripts/lint/boundaries.js), and
 * every file under server/ stands on a floor: a new folder or top-level file is placed here.
 * The services import each other freely (no cycles: test/architecture/cycles.test.ts).
 * @type {Floor[]}
 */
export const SERVER_FLOORS = [
  {
    name: 'common',
    paths: ['server/common/'],
    about: 'the shared Node floor (its own unit): the data plane messages, the doors, the source key, the launch flags',
  },
  { name: 'turn', paths: ['server/turn/'], about: 'the TURN relay (its own unit)' },
  {
    name: 'services',
    paths: [
      'server/store/',
      'server/reports/',
      'server/alerts/',
      'server/console/',
      'server/fleet/',
      'server/metrics/',
      'server/reflector/',
      'server/dataplane/',
      'server/edges/',
      'server/data-path.ts',
      'server/loop-delay.ts',
      'server/logging.ts',
      'server/teardown.ts',
    ],
    about: 'what serve does, each behind its own settings: store, reports, alerts, console, fleet, metrics, reflector, data plane, edges',
  },
  { name: 'http', paths: ['server/http/'], about: 'the Fastify app: routes over the services, each given its options' },
  { name: 'config', paths: ['server/config/'], about: 'ServeOptions from the flags: the only reader of the tunables (DEFAULTS)' },
  {
    name: 'composition',
    paths: ['server/serve.ts', 'server/edge-roles.ts'],
    about: 'serve() and the hub and edge roles: start the services and the app from ServeOptions',
  },
];

/** The floor of a repo-relative path under server/ (longest path prefix), -1 when it stands on none, or null outside server/. */
export function floorOf(relPath) {
  const p = relPath.replace(/\\/g, '/');
  if (!p.startsWith('server/')) return null;
  let best = -1;
  let bestLength = 0;
  SERVER_FLOORS.forEach((floor, i) => {
    for (const path of floor.paths) {
      const hit = path.endsWith('/') ? p.startsWith(path) : p === path || p === path.replace(/\.ts$/, '.js');
      if (hit && path.length > bestLength) {
        best = i;
        bestLength = path.length;
      }
    }
  });
  return best;
}

/**
 * The files of server/ that read the tunables (DEFAULTS in src/protocol/defaults.ts): the options
 * modules that turn the flags, and the files some flags name, into ServeOptions. Everything else
 * in server/ gets a tunable's value through its options object, and may read the constants
 * (CONSTANTS, BOUNDS) anywhere (eslint.config.js; the relay, server/turn/, has its own flag
 * parser and is not held to it yet).
 */
export const SERVER_TUNABLE_READERS = [
  'server/config/options.ts',
  'server/config/parse.ts',
  // The parsers of the operator's files (--alerts FILE, --oidc-groups FILE): a rule's or a claim's default where the file gives none.
  'server/alerts/config.ts',
  'server/console/oidc-config.ts',
];
