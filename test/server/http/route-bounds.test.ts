/**
 * Everything an anonymous caller sends is bounded: this walks the schema of every route of the
 * app (path parameters, query string, body) and fails on any string without maxLength, array
 * without maxItems, or object open to any property; the results upload, whose body its route
 * checks only in outline, is walked through the schemas its handler applies (every report
 * version and the could-not-test record, with ../../../src/analysis/schema/bounds.ts). Every
 * body a route reads whole is at most 128 KiB (a report with its region leg is two), and every real report fits those bounds with room:
 * the golden reports, and the largest of them with the longest provisional history a test keeps.
 */
import { ATTRIBUTION_MAX_BINS, ATTRIBUTION_MAX_INTERVALS } from '../../../src/analysis/schema/attribution-limits.js';
import { SCHEMA_VERSION } from '../../../src/analysis/schema/version.js';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, routesOf } from '../../../server/http/app.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { RESULTS_PATH } from '../../../src/protocol/api.js';
import { unboundedPaths, withBounds } from '../../../src/analysis/schema/bounds.js';
import { uploadBoundsProblem } from '../../../src/analysis/schema/check.js';
import { ReportSchema } from '../../../src/analysis/schema/report-schema.js';
import { ReportV1Schema } from '../../../src/analysis/schema/report-v1-schema.js';
import { CouldNotTestSchema } from '../../../src/analysis/schema/could-not-test-schema.js';
import { longestProvisionalHistory } from '../../kit/provisional.js';
import { open, sqliteKind, storeOptions, testClock } from '../store/store-kit.js';
import { appOptionsWithoutRelay } from '../../kit/app-options.js';
import { EdgeRegistry } from '../../../server/edges/registry.js';
import { EDGES_PATH } from '../../../src/protocol/api-edges.js';
import { CONSOLE_OIDC_CALLBACK } from '../../../src/protocol/api-console-sign-in.js';
import { repoRoot } from '../../kit/paths.js';

const BODY_MAX_BYTES = 128 * 1024;
const kind = sqliteKind();
let webRoot: string;

beforeAll(async () => {
  webRoot = mkdtempSync(join(tmpdir(), 'callprobe-bounds-'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>callprobe</title>');
  await kind.setup();
});

afterAll(async () => {
  rmSync(webRoot, { recursive: true, force: true });
  await kind.teardown();
});

/** A golden report's attribution with every list at its longest, its times as long as a 10-minute test's. */
function fullestAttribution(a: unknown): unknown {
  const base = a as { directions: Array<Record<string, unknown>>; upArrivals: unknown } | null;
  expect(base, 'the largest golden report has an attribution section').not.toBeNull();
  if (base === null) return null;
  const interval = { startMs: 599_999.9, endMs: 600_999.9, who: 'device', reason: 'receiver-stall' };
  const bin = { fromSendMs: 599_999.9, toSendMs: 600_199.9, packets: 20, maxGapMs: 1_234.5, maxSendGapMs: 10.5 };
  return {
    ...base,
    directions: base.directions.map((d) => ({ ...d, intervals: Array.from({ length: ATTRIBUTION_MAX_INTERVALS }, () => interval), intervalsLeftOut: 12_345 })),
    upArrivals: { bins: 3_000, gaps: Array.from({ length: ATTRIBUTION_MAX_BINS }, () => bin) },
  };
}

function goldens(dir: string): [string, Record<string, unknown>][] {
  const at = join(repoRoot, 'test/analysis/report', dir);
  return readdirSync(at)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f, JSON.parse(readFileSync(join(at, f), 'utf8')) as Record<string, unknown>]);
}

describe('every route schema is bounded', () => {
  it('finds what a schema leaves unbounded (so the walk below can fail)', () => {
    const open = Type.Object({ a: Type.String(), b: Type.Array(Type.Integer()), c: Type.Object({}) }, { additionalProperties: false });
    expect(unboundedPaths(open)).toEqual(['/a (string without maxLength)', '/b (array without maxItems)', '/c (object open to any property)']);
    expect(unboundedPaths(withBounds(Type.Object({ a: Type.String(), b: Type.Array(Type.String()) }, { additionalProperties: false })))).toEqual([]);
  });

  it('has no string, array or object without a bound in any route of the app, and no body over 128 KiB', async () => {
    const store = await open(await kind.freshTarget(), storeOptions(testClock(), 3));
    const base = appOptionsWithoutRelay(webRoot);
    const app = await buildApp({
      ...base,
      // The console open through a company's identity provider: its callback takes the provider's answer (never contacted here).
      console: {
        ...base.console,
        oidc: {
          ...DEFAULTS.console.oidc,
          issuer: 'https://idp.invalid',
          clientId: 'callprobe',
          clientSecret: null,
          groups: { claim: 'groups', tier1: ['t1'], tier2: [], scopes: [] },
        },
      },
      results: {
        store,
        adminToken: 'operator-token-0123456789',
        bodyLimitBytes: DEFAULTS.results.bodyLimitBytes,
        postsPerMinutePerIp: DEFAULTS.results.postsPerMinutePerIp,
        readsPerMinutePerIp: DEFAULTS.results.readsPerMinutePerIp,
        storedBytesPerDayPerSource: DEFAULTS.results.storedBytesPerDayPerSource,
        failedLookupsPerMinute: DEFAULTS.results.failedLookupsPerMinute,
      },
      // A hub's routes too: the edges' beats and the edge tokens.
      edges: {
        registry: new EdgeRegistry(
          store.edges,
          { silentAfterMs: 30_000, refreshMs: 2_000, credentialTtlS: 600 },
          () => Date.now(),
          () => undefined,
        ),
        heartbeatMs: DEFAULTS.edges.heartbeatMs,
        silentAfterMs: DEFAULTS.edges.silentAfterMs,
        heartbeatsPerMinutePerSource: DEFAULTS.edges.heartbeatsPerMinutePerSource,
        listPerMinutePerSource: DEFAULTS.edges.listPerMinutePerSource,
        labAddresses: false,
      },
    });
    try {
      await app.ready();
      const routes = routesOf(app);
      const problems: string[] = [];
      let walked = 0;
      for (const r of routes) {
        for (const [part, schema] of Object.entries(r.schemas)) {
          walked++;
          const isUpload = r.url === RESULTS_PATH && r.method.includes('POST') && part === 'body';
          // The upload's route checks the outline only; its handler checks the whole body against these.
          const checked = isUpload ? [withBounds(ReportSchema), withBounds(ReportV1Schema), withBounds(CouldNotTestSchema)] : [schema];
          for (const s of checked) for (const p of unboundedPaths(s)) problems.push(`${r.method} ${r.url} ${part}${p}`);
        }
        if (/POST|PUT|PATCH|DELETE/.test(r.method) && r.bodyLimitBytes > BODY_MAX_BYTES)
          problems.push(`${r.method} ${r.url} reads bodies of ${r.bodyLimitBytes} bytes`);
      }
      expect(problems).toEqual([]);
      // The walk saw the routes that take input: the upload, the share views, the export, the sites, the console.
      expect(walked).toBeGreaterThanOrEqual(10);
      expect(routes.some((r) => r.url === RESULTS_PATH && r.method.includes('POST'))).toBe(true);
      expect(routes.some((r) => r.url === `${EDGES_PATH}/:id/heartbeat` && r.method.includes('PUT'))).toBe(true);
      expect(routes.some((r) => r.url === CONSOLE_OIDC_CALLBACK && r.parts.includes('querystring'))).toBe(true);
    } finally {
      await app.close();
      await store.close();
    }
  });
});

describe('real reports fit the upload bounds', () => {
  it('every golden report, of either version', () => {
    const all = [...goldens('golden'), ...goldens('golden-v1')].filter(([name]) => !name.startsWith('aggregate-'));
    expect(all.length).toBeGreaterThan(10);
    for (const [name, r] of all) {
      const version = r['schemaVersion'];
      expect(typeof version, name).toBe('number');
      if (typeof version !== 'number') continue;
      expect(uploadBoundsProblem(version, r), name).toBeNull();
    }
  });

  it('the largest golden report with the longest provisional history a test keeps fits under the body limit', () => {
    const [, largest] = goldens('golden')
      .filter(([, r]) => r['schemaVersion'] === SCHEMA_VERSION)
      .sort(([, a], [, b]) => JSON.stringify(b).length - JSON.stringify(a).length)[0] ?? ['', {}];
    const full = { ...largest, provisional: longestProvisionalHistory(), attribution: fullestAttribution(largest['attribution']) };
    expect(uploadBoundsProblem(SCHEMA_VERSION, full)).toBeNull();
    const bytes = Buffer.byteLength(JSON.stringify({ ...full, sampleId: 'f'.repeat(36) }));
    console.log(`largest golden report with a full provisional history: ${bytes} bytes of ${DEFAULTS.results.bodyLimitBytes}`);
    expect(bytes).toBeLessThan(DEFAULTS.results.bodyLimitBytes);
    expect(DEFAULTS.results.bodyLimitBytes).toBeLessThanOrEqual(BODY_MAX_BYTES);
  });
});
