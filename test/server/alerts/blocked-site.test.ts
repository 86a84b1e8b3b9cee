/**
 * A site whose firewall blocks every relay port, on SQLite and PostgreSQL, on a test clock: each
 * of its samples is a report that could not connect on the network's side (the relay's evidence
 * said others got through). They are could-not-test samples of the site: the could-not-test rule
 * counts them, they never clear its silence, and its site report and the overview name the
 * blocked ports instead of "no 90th percentile failed".
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertsConfigFrom } from '../../../server/alerts/config.js';
import { siteReportFromStore, sitesOverviewFromStore } from '../../../server/reports/site.js';
import type { NewResult, ResultStore } from '../../../server/store/index.js';
import type { Report } from '../../../src/analysis/schema/report-schema.js';
import { describeKind, open, postgresKind, sqliteKind, storeOptions, testClock } from '../store/store-kit.js';
import { alertInstance, siteReport, startReceiver, type AlertInstance, type Receiver } from './kit.js';

const TEN_MIN = 600_000;
const GRACE_MS = 15 * 60_000;
const BLOCKED = JSON.parse(readFileSync(new URL('../../analysis/report/golden/blocked-default-ports.json', import.meta.url), 'utf8')) as Report;

function sample(site: string, startedAtMs: number, i: number, report: Report | null): NewResult {
  const body =
    report === null
      ? JSON.parse(siteReport(site, 40, startedAtMs))
      : { ...report, meta: { ...report.meta, site, startedAt: new Date(startedAtMs).toISOString() } };
  return {
    sampleId: `${site}-${i}`,
    kind: 'report',
    startedAtMs,
    site,
    ticket: null,
    verdict: body.summary.verdict,
    reportJson: JSON.stringify(body),
    address: null,
  };
}

describe.each([sqliteKind(), postgresKind()])('a site whose firewall blocks the relay: $name', (kind) => {
  const run = describeKind('a site whose firewall blocks the relay', kind);
  run(`on ${kind.name}`, () => {
    const clock = testClock(Date.UTC(2026, 1, 2, 8));
    let store: ResultStore;
    let receiver: Receiver;
    let one: AlertInstance;
    const settings = { heartbeatMs: 86_400_000, heartbeatGraceMs: GRACE_MS, sweepIntervalMs: 60_000 };

    beforeAll(async () => {
      await kind.setup();
      store = await open(await kind.freshTarget(), storeOptions(clock, 71));
      receiver = await startReceiver();
      const config = alertsConfigFrom({ webhook: { url: receiver.url }, rules: [{ silentFor: '30m' }, { couldNotTestAbovePct: 50, over: '1h' }] });
      one = await alertInstance(store, config, { info: () => undefined, warn: () => undefined }, clock.nowMs, settings);
    }, 90_000);
    afterAll(async () => {
      await one.loop.stop();
      await store.close();
      await receiver.close();
      await kind.teardown();
    }, 60_000);

    it('counts its blocked samples as could-not-test, never as a sample that tested, and names the blocked ports', async () => {
      const t0 = clock.nowMs();
      const put = async (r: NewResult): Promise<void> => {
        const { result } = await store.results.put(r);
        await one.alerts.afterStored({ id: result.id, site: 'Boston', kind: r.kind, grades: [] }, clock.nowMs());
        await one.loop.tick();
      };
      await put(sample('Boston', t0, 0, null));
      for (let i = 1; i <= 4; i++) {
        clock.advance(TEN_MIN);
        await put(sample('Boston', clock.nowMs(), i, BLOCKED));
      }
      // 4 of 5 over the hour could not test: raised; 40 minutes without a sample that tested: silent, not cleared by them.
      expect(receiver.bodies.map((b) => [b['metric'], b['state']])).toEqual([
        ['could-not-test', 'raised'],
        ['silence', 'raised'],
      ]);
      const boston = (await store.sites.list()).find((s) => s.key === 'boston');
      expect(boston?.lastReportAtMs).toBe(t0);

      const report = await siteReportFromStore(
        store,
        { site: 'boston', sinceMs: t0 + 1, choice: { profile: null, probePath: null }, timeZone: 'UTC' },
        { nowMs: clock.nowMs(), heartbeatGraceMs: GRACE_MS },
      );
      expect(report.causes.blocked).toEqual({
        samples: 4,
        everyTeamsPort: 0,
        ports: [
          ['udp', 3478],
          ['udp', 3479],
          ['udp', 3480],
          ['udp', 3481],
          ['tcp', 3478],
        ],
      });
      expect(report.explanation[0]).toBe(
        "NO VERDICT: 4 of 4 samples: this site's network blocked every media port the test server offered (UDP 3478-3481 and TCP 3478).",
      );
      expect(report.explanation.join('\n')).not.toContain('no 90th percentile failed');

      const o = await sitesOverviewFromStore(
        store,
        t0 + 1,
        { nowMs: clock.nowMs(), heartbeatGraceMs: GRACE_MS, lookbackMs: 8 * 86_400_000 },
        {
          silentForMs: 30 * 60_000,
          outagesAbovePct: 20,
        },
      );
      const site = o.sites.find((s) => s.key === 'boston');
      expect(site).toMatchObject({ couldNotTest: 4, causes: { blocked: 4, blockedEveryPort: 0, deviceBusy: 0, serverSide: 0, serverBusy: 0 } });
      expect(site?.health?.outages).toEqual({ site: 4, ours: 0, interrupted: 0 });
    });
  });
});
