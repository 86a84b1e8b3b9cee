/**
 * A site that stops producing valid samples, on SQLite and PostgreSQL, on a test clock: every
 * sample after the first could not test (server unreachable). The silence rule raises one alert
 * within its 30 minutes, delivered to a local receiver; the overview flags the site (silent, its
 * outages, the raised alert). Our own outage is told from the site's: while no instance beat, the
 * could-not-test samples are ours in the site report and the silence clock stops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertsConfigFrom } from '../../../server/alerts/config.js';
import { SiteAlerts } from '../../../server/alerts/index.js';
import { siteReportFromStore, sitesOverviewFromStore } from '../../../server/reports/site.js';
import type { NewResult, ResultStore } from '../../../server/store/index.js';
import { describeKind, open, postgresKind, sqliteKind, storeOptions, testClock } from '../store/store-kit.js';
import { alertInstance, siteReport, startReceiver, type AlertInstance, type Receiver } from './kit.js';

const TEN_MIN = 600_000;
const GRACE_MS = 15 * 60_000;

function couldNotTest(site: string, startedAtMs: number, i: number): NewResult {
  return {
    sampleId: `${site.replace(/\W/g, '')}-${i}`,
    kind: 'could-not-test',
    startedAtMs,
    site,
    ticket: null,
    verdict: null,
    reportJson: JSON.stringify({ kind: 'could-not-test', reason: 'server-unreachable', message: 'cannot reach the server', atMs: startedAtMs, meta: { site } }),
    address: null,
  };
}

describe.each([sqliteKind(), postgresKind()])('a site gone quiet: $name', (kind) => {
  const run = describeKind('a site gone quiet', kind);
  run(`on ${kind.name}`, () => {
    const clock = testClock(Date.UTC(2026, 1, 2, 8));
    let store: ResultStore;
    let receiver: Receiver;
    let one: AlertInstance;
    const config = () => alertsConfigFrom({ webhook: { url: receiver.url }, rules: [{ silentFor: '30m' }] });
    const settings = { heartbeatMs: 86_400_000, heartbeatGraceMs: GRACE_MS, sweepIntervalMs: 60_000 };
    const serviceClock = () => ({ nowMs: clock.nowMs(), heartbeatGraceMs: GRACE_MS, lookbackMs: 8 * 86_400_000 });
    const rules = { silentForMs: 30 * 60_000, outagesAbovePct: 20 };

    beforeAll(async () => {
      await kind.setup();
      store = await open(await kind.freshTarget(), storeOptions(clock, 61));
      receiver = await startReceiver();
      one = await alertInstance(store, config(), { info: () => undefined, warn: () => undefined }, clock.nowMs, settings);
    }, 90_000);
    afterAll(async () => {
      await one.loop.stop();
      await store.close();
      await receiver.close();
      await kind.teardown();
    }, 60_000);

    /** Stores a sample through the store and the alert rules, as the upload route does. */
    const stored = async (r: NewResult): Promise<void> => {
      const { result } = await store.results.put(r);
      const grades = r.kind === 'report' ? (JSON.parse(r.reportJson) as { grades: [] }).grades : [];
      await one.alerts.afterStored({ id: result.id, site: r.site ?? '', kind: r.kind, grades });
    };

    it('raises one silence alert within its 30 minutes, and the overview flags the site', async () => {
      const t0 = clock.nowMs();
      await stored({ ...couldNotTest('Paris office', t0, 0), kind: 'report', verdict: 'pass', reportJson: siteReport('Paris office', 40, t0) });
      await one.loop.tick();
      // Every 10 minutes a sample that could not test; the instance beats and sweeps each time.
      for (let i = 1; i <= 6; i++) {
        clock.advance(TEN_MIN);
        await stored(couldNotTest('Paris office', clock.nowMs(), i));
        await one.loop.tick();
        const silence = receiver.bodies.filter((b) => b['metric'] === 'silence');
        // 30 minutes after the last report: raised, at once; never a second time.
        expect(silence.length, `after ${i * 10} minutes`).toBe(i >= 3 ? 1 : 0);
      }
      expect(receiver.bodies).toEqual([
        expect.objectContaining({
          site: 'Paris office',
          metric: 'silence',
          state: 'raised',
          since: new Date(t0 + 3 * TEN_MIN).toISOString(),
          lastReportAt: new Date(t0).toISOString(),
          silentFor: '30m',
        }),
      ]);
      const o = await sitesOverviewFromStore(store, t0, serviceClock(), rules);
      const paris = o.sites.find((s) => s.key === 'paris office');
      expect(paris?.health?.flags.map((f) => f.kind)).toEqual(['silent', 'outages', 'alert']);
      expect(paris?.health).toMatchObject({ lastReportAt: new Date(t0).toISOString(), outages: { site: 6, ours: 0 } });
      expect(paris?.health?.flags[0]?.sentence).toBe(`silent: no sample tested for 1 h of callprobe's up time (last at ${new Date(t0).toISOString()})`);

      // A report clears it, once.
      clock.advance(TEN_MIN);
      await stored({
        ...couldNotTest('Paris office', clock.nowMs(), 7),
        kind: 'report',
        verdict: 'pass',
        reportJson: siteReport('Paris office', 40, clock.nowMs()),
      });
      await one.loop.tick();
      expect(receiver.bodies.map((b) => [b['metric'], b['state']])).toEqual([
        ['silence', 'raised'],
        ['silence', 'ok'],
      ]);
    });

    it('counts the silence from when a fast-clocked report arrived, never from the later start it wrote', async () => {
      const before = receiver.bodies.length;
      const t0 = clock.nowMs();
      // A prober whose clock runs 9 minutes fast (the upload door allows up to 10).
      const ahead = t0 + 9 * 60_000;
      await stored({ ...couldNotTest('Brest', ahead, 0), kind: 'report', verdict: 'pass', reportJson: siteReport('Brest', 40, ahead) });
      await one.loop.tick();
      const raisedAt: number[] = [];
      for (let i = 1; i <= 4; i++) {
        clock.advance(TEN_MIN);
        await one.loop.tick();
        if (receiver.bodies.slice(before).some((b) => b['site'] === 'Brest' && b['state'] === 'raised') && raisedAt.length === 0) raisedAt.push(i);
      }
      // 30 minutes after it was received (the earlier of the two), not 39 after the start it claimed.
      expect(raisedAt).toEqual([3]);
      const brest = (await store.sites.list()).find((x) => x.key === 'brest');
      expect(brest).toMatchObject({ lastReportAtMs: ahead, lastReportStoredAtMs: t0 });
    });

    it('our outage is not the site: its could-not-test samples are ours, and the silence clock stops while we are down', async () => {
      const before = receiver.bodies.length;
      const t0 = clock.nowMs();
      await stored({ ...couldNotTest('Lyon', t0, 0), kind: 'report', verdict: 'pass', reportJson: siteReport('Lyon', 40, t0) });
      await one.loop.tick();
      // Every instance stops cleanly: callprobe is down for two hours; the probe spools its samples meanwhile.
      await one.loop.stop();
      const down = Array.from({ length: 12 }, (_, i) => couldNotTest('Lyon', t0 + 5 * 60_000 + i * TEN_MIN, 100 + i));
      clock.advance(2 * 60 * 60_000);
      // Back (a new instance), the spooled samples arrive; one more sample that could not test, while we are up.
      one = await alertInstance(store, config(), { info: () => undefined, warn: () => undefined }, clock.nowMs, settings);
      for (const s of down) await stored(s);
      clock.advance(TEN_MIN);
      await stored(couldNotTest('Lyon', clock.nowMs(), 200));
      await one.loop.tick();
      // Silent for 2 h 10 min of wall time, but only 10 minutes of our up time: no alert for Lyon.
      expect(receiver.bodies.slice(before).filter((b) => b['site'] === 'Lyon')).toEqual([]);
      const report = await siteReportFromStore(
        store,
        { site: 'lyon', sinceMs: t0, choice: { profile: null, probePath: null }, timeZone: 'UTC' },
        serviceClock(),
      );
      expect(report.outages).toMatchObject({ site: { samples: 1 }, ours: { samples: 12 } });
      expect(report.explanation).toContain(
        "Site outages: 1 of 14 samples could not test (server-unreachable) while callprobe's service was up; the site's own, counted, not graded.",
      );
      expect(report.explanation).toContain("12 of 14 samples could not test while callprobe's service was down or failing: our outage, not the site's.");
      const o = await sitesOverviewFromStore(store, t0, serviceClock(), rules);
      expect(o.sites.find((s) => s.key === 'lyon')?.health).toMatchObject({ outages: { site: 1, ours: 12 }, flags: [] });
    });
    it('the could-not-test rule: raised above its share of the window (our outages left out), cleared when no more', async () => {
      const cnt = new SiteAlerts(
        alertsConfigFrom({ webhook: { url: receiver.url }, rules: [{ couldNotTestAbovePct: 50, over: '1h' }] }),
        store,
        { info: () => undefined, warn: () => undefined },
        { heartbeatGraceMs: GRACE_MS, lookbackMs: 8 * 86_400_000 },
      );
      await one.loop.tick();
      const states: string[] = [];
      const t0 = clock.nowMs();
      // Report, report, then four that could not test (10 minutes apart): 2 of 3, 3 of 4 ... over the last hour.
      const seq = ['report', 'report', 'cnt', 'cnt', 'cnt', 'cnt', 'report', 'report', 'report', 'report'];
      for (const [i, k] of seq.entries()) {
        const at = t0 + i * TEN_MIN;
        clock.set(at);
        await one.loop.tick();
        const r =
          k === 'report'
            ? { ...couldNotTest('Nice', at, i), kind: 'report' as const, verdict: 'pass', reportJson: siteReport('Nice', 40, at) }
            : couldNotTest('Nice', at, i);
        const { result } = await store.results.put(r);
        for (const e of await cnt.afterStored({ id: result.id, site: 'Nice', kind: r.kind, grades: [] }, at)) states.push(`${i}:${e.state}`);
      }
      // The window is the last hour (seven samples once full). Sample 4: 3 of 5 could not test (60 %): raised. Samples 5-8:
      // 4 of 6 or 7 (57-67 %). Sample 9 (window 3-9): 3 of 7 (43 %, not above 50 %): cleared.
      expect(states).toEqual(['4:raised', '9:ok']);
    });
  });
});
