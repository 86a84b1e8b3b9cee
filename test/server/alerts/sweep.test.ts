/**
 * The sweep, on SQLite and PostgreSQL, on a test clock: one state per alert from one clock. A
 * site whose scheduler stops and whose spooled backlog arrives later gets exactly one `raised`
 * and one `ok`; a report stored while the sweep runs is decided by that sweep or the next, never
 * half by each; a could-not-test alert clears when its window holds no more such samples though
 * the site stores nothing; a site with a token and no sample is silent (and listed never
 * reported), unless its token awaits its first sample (listed not yet installed, silent only
 * from that sample on); a probe whose reports cannot judge a watched target raises the
 * could-not-judge rule.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertsConfigFrom } from '../../../server/alerts/config.js';
import { SiteAlerts } from '../../../server/alerts/index.js';
import type { SiteAlertEvent } from '../../../server/alerts/events.js';
import { sitesOverviewFromStore } from '../../../server/reports/site.js';
import { siteTokenHash } from '../../../server/http/access.js';
import type { NewResult, ResultStore } from '../../../server/store/index.js';
import { siteKeyOf } from '../../../server/store/site-key.js';
import { describeKind, open, postgresKind, sqliteKind, storeOptions, testClock } from '../store/store-kit.js';
import { alertInstance, shortSiteReport, siteReport, startReceiver, type AlertInstance, type Receiver } from './kit.js';

const MIN = 60_000;
const GRACE_MS = 15 * MIN;
const quiet = { info: () => undefined, warn: () => undefined };
const service = { heartbeatGraceMs: GRACE_MS, lookbackMs: 8 * 86_400_000 };

let n = 0;
function report(site: string, startedAtMs: number, body: string = siteReport(site, 40, startedAtMs)): NewResult {
  return { sampleId: `s-${++n}`, kind: 'report', startedAtMs, site, ticket: null, verdict: 'pass', reportJson: body, address: null };
}

function couldNotTest(site: string, startedAtMs: number): NewResult {
  return {
    sampleId: `s-${++n}`,
    kind: 'could-not-test',
    startedAtMs,
    site,
    ticket: null,
    verdict: null,
    reportJson: JSON.stringify({ kind: 'could-not-test', reason: 'server-unreachable', message: 'cannot reach the server', atMs: startedAtMs, meta: { site } }),
    address: null,
  };
}

const states = (events: readonly SiteAlertEvent[]): string[] => events.map((e) => `${e.metric}:${e.state}`);

describe.each([sqliteKind(), postgresKind()])('the sweep: $name', (kind) => {
  const run = describeKind('the sweep', kind);
  run(`on ${kind.name}`, () => {
    const clock = testClock(Date.UTC(2026, 2, 2, 8));
    let store: ResultStore;
    let receiver: Receiver;
    let one: AlertInstance;

    beforeAll(async () => {
      await kind.setup();
      store = await open(await kind.freshTarget(), storeOptions(clock, 71));
      receiver = await startReceiver();
      const config = alertsConfigFrom({ webhook: { url: receiver.url }, rules: [{ silentFor: '30m' }] });
      one = await alertInstance(store, config, quiet, clock.nowMs, { heartbeatMs: 86_400_000, heartbeatGraceMs: GRACE_MS, sweepIntervalMs: MIN });
    }, 90_000);
    afterAll(async () => {
      await one.loop.stop();
      await store.close();
      await receiver.close();
      await kind.teardown();
    }, 60_000);

    /** Stores a sample (its receipt now, on the test clock) and evaluates it, as the upload route does. */
    const stored = async (alerts: SiteAlerts, r: NewResult): Promise<SiteAlertEvent[]> => {
      const { result } = await store.results.put(r);
      const grades = r.kind === 'report' ? (JSON.parse(r.reportJson) as { grades: [] }).grades : [];
      return alerts.afterStored({ id: result.id, site: r.site ?? '', kind: r.kind, grades }, clock.nowMs());
    };
    /** The silence rule alone, on no loop (so no delivery pass sweeps behind a test's back): the tests below sweep themselves. */
    const alone = (): SiteAlerts => new SiteAlerts(one.alerts.config, store, quiet, service);
    /** This instance's heartbeat now, without a sweep. */
    const beat = (): Promise<void> => store.fleet.beat(one.loop.instance, one.loop.startedAtMs, clock.nowMs(), false);
    const silencePosts = (site: string): string[] =>
      receiver.bodies.filter((b) => b['site'] === site && b['metric'] === 'silence').map((b) => `${String(b['state'])}@${String(b['since'])}`);
    const at = (ms: number): string => new Date(ms).toISOString();

    it('a scheduler that stops, then its spooled backlog arrives later: exactly one raised and one ok', async () => {
      const t0 = clock.nowMs();
      for (const m of [0, 10, 20]) {
        clock.set(t0 + m * MIN);
        await stored(one.alerts, report('Quimper', t0 + m * MIN));
        await one.loop.tick();
      }
      // The scheduler's uploads stop (its token refused: the samples wait in its spool); the instance sweeps each 5 minutes.
      for (let m = 25; m <= 145; m += 5) {
        clock.set(t0 + m * MIN);
        await one.loop.tick();
      }
      // At 150 minutes a good token: the spool sends its backlog (samples taken from 30 to 90 minutes), a sweep after each.
      for (const [i, m] of [30, 40, 50, 60, 70, 80, 90].entries()) {
        clock.set(t0 + (150 + i) * MIN);
        await stored(one.alerts, report('Quimper', t0 + m * MIN));
        clock.advance(30_000);
        await one.loop.tick();
      }
      // Then the scheduler's first fresh sample, and its next ones every 10 minutes.
      for (let k = 0; k < 4; k++) {
        const start = clock.nowMs() + 30_000;
        clock.set(start + 20_000);
        await stored(one.alerts, report('Quimper', start));
        for (let m = 0; m < 10; m += 5) {
          clock.advance(5 * MIN);
          await one.loop.tick();
        }
      }
      const posts = silencePosts('Quimper');
      expect(posts).toHaveLength(2);
      expect(posts[0]).toBe(`raised@${at(t0 + 50 * MIN)}`);
      expect(posts[1]).toMatch(/^ok@/);
      // Cleared by the first fresh sample's sweep, not by the backlog (whose last sample arrived at 156 minutes).
      expect(Date.parse(posts[1]?.slice(3) ?? '')).toBeGreaterThan(t0 + 157 * MIN);
    });

    it('a report stored while the sweep runs: the sweep that read the sites before it still decides from the row it holds', async () => {
      const alerts = alone();
      const t1 = clock.nowMs();
      await stored(alerts, report('Vannes', t1 - 20_000));
      clock.set(t1 + 15 * MIN);
      await beat();
      clock.set(t1 + 30 * MIN);
      await beat();
      // The sweep lists the sites (Vannes silent for 30 minutes), then a report is stored before its transaction runs.
      const stale = await store.sites.list();
      await stored(alerts, report('Vannes', clock.nowMs() - 20_000));
      const racing = new SiteAlerts(alerts.config, { ...store, sites: { ...store.sites, list: async () => stale } }, quiet, service);
      expect((await racing.sweep(clock.nowMs())).filter((e) => e.site === 'Vannes')).toEqual([]);

      // The other order: the sweep committed its raise, then the report (which started before it) arrives.
      clock.advance(15 * MIN);
      await beat();
      clock.advance(15 * MIN);
      await beat();
      const raised = (await alerts.sweep(clock.nowMs())).filter((e) => e.site === 'Vannes');
      expect(states(raised)).toEqual(['silence:raised']);
      const since = clock.nowMs();
      await stored(alerts, report('Vannes', since - 20_000));
      const later: SiteAlertEvent[] = [];
      for (let m = 1; m <= 9; m++) {
        clock.set(since + m * MIN);
        await beat();
        later.push(...(await alerts.sweep(clock.nowMs())).filter((e) => e.site === 'Vannes'));
      }
      // Older than the silence: it does not clear it, and nothing flaps.
      expect(later).toEqual([]);
      clock.set(since + 10 * MIN);
      await stored(alerts, report('Vannes', clock.nowMs() - 20_000));
      for (let m = 11; m <= 20; m++) {
        clock.set(since + m * MIN);
        await beat();
        later.push(...(await alerts.sweep(clock.nowMs())).filter((e) => e.site === 'Vannes'));
      }
      expect(later.map((e) => `${e.metric}:${e.state}@${e.since}`)).toEqual([`silence:ok@${at(since + 11 * MIN)}`]);
    });

    it('a could-not-test alert clears by the sweep once its window holds no more such samples, though the site went quiet', async () => {
      const cnt = new SiteAlerts(
        alertsConfigFrom({ webhook: { url: receiver.url }, rules: [{ couldNotTestAbovePct: 50, over: '1h' }] }),
        store,
        quiet,
        service,
      );
      const t = clock.nowMs();
      const events: string[] = [];
      for (const [m, r] of [
        [0, couldNotTest('Rennes', t)],
        [10, couldNotTest('Rennes', t + 10 * MIN)],
        [20, couldNotTest('Rennes', t + 20 * MIN)],
        [30, report('Rennes', t + 30 * MIN)],
      ] as const) {
        clock.set(t + m * MIN);
        await beat();
        events.push(...states(await stored(cnt, r)).map((s) => `${s}@${m}`));
      }
      // Quiet from here: only the sweep evaluates it.
      for (let m = 40; m <= 120; m += 10) {
        clock.set(t + m * MIN);
        await beat();
        events.push(...states((await cnt.sweep(clock.nowMs())).filter((e) => e.site === 'Rennes')).map((s) => `${s}@${m}`));
      }
      // Window of the last hour: at 70 minutes 2 of 3 could not test (67 %), at 80 minutes 1 of 2 (50 %, not above): cleared.
      expect(events).toEqual(['could-not-test:raised@20', 'could-not-test:ok@80']);
    });

    it('a site with a token and no sample is silent from its token, listed as never reported, and clears on its first report', async () => {
      const t = clock.nowMs();
      await store.siteTokens.create({
        id: randomBytes(8).toString('hex'),
        siteKey: siteKeyOf('Lorient port'),
        display: 'Lorient port',
        tokenHash: siteTokenHash(`cpsite_${randomBytes(8).toString('hex')}`),
        createdAtMs: t,
      });
      const alerts = alone();
      const events: string[] = [];
      for (let m = 10; m <= 40; m += 10) {
        clock.set(t + m * MIN);
        await beat();
        events.push(...states((await alerts.sweep(clock.nowMs())).filter((e) => e.site === 'Lorient port')).map((s) => `${s}@${m}`));
      }
      expect(events).toEqual(['silence:raised@30']);
      const o = await sitesOverviewFromStore(
        store,
        t - 86_400_000,
        { nowMs: clock.nowMs(), heartbeatGraceMs: GRACE_MS, lookbackMs: 8 * 86_400_000 },
        {
          silentForMs: 30 * MIN,
          outagesAbovePct: 20,
        },
      );
      const lorient = o.sites.find((s) => s.key === siteKeyOf('Lorient port'));
      expect(lorient).toMatchObject({ site: 'Lorient port', samplesTotal: 0 });
      expect(lorient?.health?.flags.map((f) => f.kind)).toEqual(['never-reported', 'alert']);
      expect(lorient?.health?.flags[0]?.sentence).toBe(
        `never reported: a site token was made ${at(t)} and no sample has been stored since (40 min of callprobe's up time)`,
      );
      clock.set(t + 45 * MIN);
      await stored(alerts, report('Lorient port', clock.nowMs() - 20_000));
      clock.set(t + 46 * MIN);
      await beat();
      expect(states((await alerts.sweep(clock.nowMs())).filter((e) => e.site === 'Lorient port'))).toEqual(['silence:ok']);
    });

    it('a token made with --await-first-sample raises no silence before its first sample, is listed not yet installed, and counts from that sample', async () => {
      const t = clock.nowMs();
      await store.siteTokens.create({
        id: randomBytes(8).toString('hex'),
        siteKey: siteKeyOf('Quimper depot'),
        display: 'Quimper depot',
        tokenHash: siteTokenHash(`cpsite_${randomBytes(8).toString('hex')}`),
        createdAtMs: t,
        awaitsFirstSample: true,
      });
      const alerts = alone();
      const events: string[] = [];
      const sweepTo = async (m: number): Promise<void> => {
        clock.set(t + m * MIN);
        await beat();
        events.push(...states((await alerts.sweep(clock.nowMs())).filter((e) => e.site === 'Quimper depot')).map((s) => `${s}@${m}`));
      };
      // Three hours of our up time without its probe: no silence, whatever the rule's 30 minutes.
      for (let m = 10; m <= 180; m += 10) await sweepTo(m);
      expect(events).toEqual([]);
      const o = await sitesOverviewFromStore(
        store,
        t - 86_400_000,
        { nowMs: clock.nowMs(), heartbeatGraceMs: GRACE_MS, lookbackMs: 8 * 86_400_000 },
        { silentForMs: 30 * MIN, outagesAbovePct: 20 },
      );
      const quimper = o.sites.find((s) => s.key === siteKeyOf('Quimper depot'));
      expect(quimper).toMatchObject({ site: 'Quimper depot', samplesTotal: 0 });
      expect(quimper?.health?.flags).toEqual([
        {
          kind: 'not-installed',
          tokenSince: at(t),
          sentence: `not yet installed: a site token was made ${at(t)} to wait for the probe's first sample; its silence is counted from that sample`,
        },
      ]);
      // Its first sample (a report): from then on silence counts as for any site, raised 30 minutes of up time on.
      clock.set(t + 185 * MIN);
      await stored(alerts, report('Quimper depot', clock.nowMs() - 20_000));
      for (let m = 190; m <= 220; m += 10) await sweepTo(m);
      expect(events).toEqual(['silence:raised@220']);
    });

    it('reports that cannot judge a watched target raise the could-not-judge rule where its P90 rule stays silent', async () => {
      const cnj = new SiteAlerts(
        alertsConfigFrom({
          webhook: { url: receiver.url },
          rules: [
            { metric: 'loss-15s', samples: 3, raiseAfter: 1, clearAfter: 1 },
            { couldNotJudgeAbovePct: 50, over: '2h' },
          ],
        }),
        store,
        quiet,
        service,
      );
      const t = clock.nowMs();
      const events: string[] = [];
      // Four 5 s tests (no 15 s window filled: loss over 15 s could not be judged), then four full ones.
      for (let i = 0; i < 8; i++) {
        clock.set(t + i * 10 * MIN);
        const start = clock.nowMs() - 20_000;
        const body = i < 4 ? shortSiteReport('Brest port', start) : siteReport('Brest port', 40, start);
        for (const e of await stored(cnj, report('Brest port', start, body)))
          events.push(`${i}:${e.metric}:${e.state}${e.metric === 'could-not-judge' ? `:${e.target}:${e.notJudged}/${e.samples}` : ''}`);
      }
      // Judged from 3 reports: raised at the third (3 of 3); the fifth and sixth leave 4 of 5, 4 of 6; the eighth 4 of 8 (50 %): cleared.
      expect(events).toEqual(['2:could-not-judge:raised:loss-15s:3/3', '7:could-not-judge:ok:loss-15s:4/8']);
    });
  });
});
