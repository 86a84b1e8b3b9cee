/**
 * What every `serve` instance with a store does in the background, each heartbeatMs: record its
 * heartbeat in the store it shares (so a could-not-test sample is told ours or the site's:
 * src/analysis/site/service.ts), and, with alerts or result webhooks, take or renew the alerts
 * lease; the instance holding it sweeps the site rules (each sweepIntervalMs) and delivers the
 * webhook posts (the alerts' and the stored results'): after
 * each pass it wakes again when the earliest waiting post is due (a retry 1 s after a failure is
 * tried 1 s later, not at the next beat). It also keeps what /metrics says of the fleet: each
 * site's last sample and last report, the posts waiting, the posts by outcome. A failure in one
 * tick is logged and counted, and the next tick tries again.
 */
import { randomBytes } from 'node:crypto';
import type { AlertDelivery } from '../alerts/delivery.js';
import type { AlertLog, SiteAlerts } from '../alerts/index.js';
import type { AlertsRepository, PendingPosts } from '../store/alerts/types.js';
import type { FleetRepository } from '../store/fleet/types.js';
import type { KnownSite, SitesRepository } from '../store/sites/types.js';

export interface FleetSettings {
  heartbeatMs: number;
  leaseTtlMs: number;
  sweepIntervalMs: number;
}

export interface FleetOptions {
  /** The heartbeats and the lease, the known sites, the posts pending. */
  store: { fleet: FleetRepository; sites: SitesRepository; alerts: AlertsRepository };
  alerts: SiteAlerts | null;
  delivery: AlertDelivery | null;
  /** serve's log (the JSON log): the lease taken or lost, a failed tick. */
  log: AlertLog;
  nowMs: () => number;
  settings: FleetSettings;
}

/** The lease of the instance that sweeps and delivers. */
const ALERTS_LEASE = 'alerts';

/** A Prometheus label value: backslash, double quote and line feed escaped (Prometheus exposition format, "Text format details"). */
function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class FleetLoop {
  /** This process's run in the heartbeats table. */
  readonly instance = randomBytes(8).toString('hex');
  readonly startedAtMs: number;
  private timer: NodeJS.Timeout | null = null;
  /** The wake of the next delivery pass, when a post comes due before the next beat. */
  private wake: NodeJS.Timeout | null = null;
  private stopped = false;
  private running: Promise<void> | null = null;
  private again = false;
  private holdsLease = false;
  private lastSweepMs = Number.NEGATIVE_INFINITY;
  private sites: KnownSite[] = [];
  private pending: PendingPosts = { alerts: 0, results: 0 };
  readonly counts = { ticksFailed: 0 };

  constructor(private readonly o: FleetOptions) {
    this.startedAtMs = o.nowMs();
  }

  /** Beats once (the run is recorded before the server answers), then every heartbeatMs; the timer never keeps the process alive. */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.o.settings.heartbeatMs);
    this.timer.unref();
  }

  /** One beat, and, holding the lease, a sweep when due and a delivery pass. Never rejects; one at a time (asked during one: once more after it). */
  tick(): Promise<void> {
    // Stopped: its run is recorded as ended; a late kick must not record it running again.
    if (this.stopped) return this.running ?? Promise.resolve();
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.once();
      } while (this.again);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Soon after a change of state was kept: a delivery pass (if this instance holds the lease), without waiting for the next beat. */
  kick(): void {
    if (this.o.delivery !== null) void this.tick();
  }

  private async once(): Promise<void> {
    const { store, alerts, delivery, nowMs, settings } = this.o;
    try {
      await store.fleet.beat(this.instance, this.startedAtMs, nowMs(), false);
      if (alerts !== null || delivery !== null) {
        const held = await store.fleet.tryLease(ALERTS_LEASE, this.instance, nowMs(), settings.leaseTtlMs);
        if (held !== this.holdsLease)
          this.o.log.info(
            { instance: this.instance, lease: held ? 'taken' : 'lost' },
            held ? 'alerts: this instance sweeps and delivers now (lease taken)' : 'alerts: another instance holds the lease',
          );
        this.holdsLease = held;
      }
      if (this.holdsLease && alerts !== null && nowMs() - this.lastSweepMs >= settings.sweepIntervalMs) {
        this.lastSweepMs = nowMs();
        await alerts.sweep(this.lastSweepMs);
      }
      if (this.holdsLease && delivery !== null) {
        await delivery.deliverDue(nowMs);
        this.wakeAt(await store.alerts.nextDueAtMs());
      }
      [this.sites, this.pending] = await Promise.all([
        store.sites.list(),
        delivery === null ? Promise.resolve({ alerts: 0, results: 0 }) : store.alerts.pendingPosts(),
      ]);
    } catch (err) {
      this.counts.ticksFailed++;
      const error = err instanceof Error ? err.message : String(err);
      this.o.log.warn({ error }, `fleet: heartbeat or alerts pass failed (tried again in ${this.o.settings.heartbeatMs / 1000} s): ${error}`);
    }
  }

  /** A pass when the earliest waiting post is due, if that is before the next beat (which makes one anyway). */
  private wakeAt(dueAtMs: number | null): void {
    if (this.wake !== null) clearTimeout(this.wake);
    this.wake = null;
    if (dueAtMs === null || this.stopped) return;
    const inMs = Math.max(0, dueAtMs - this.o.nowMs());
    if (inMs >= this.o.settings.heartbeatMs) return;
    this.wake = setTimeout(() => {
      this.wake = null;
      void this.tick();
    }, inMs);
    this.wake.unref();
  }

  /** Stops the beats and records a clean stop (the run ends now, not a grace after its last beat). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    if (this.wake !== null) clearTimeout(this.wake);
    this.wake = null;
    await this.o.store.fleet.beat(this.instance, this.startedAtMs, this.o.nowMs(), true);
  }

  /** The fleet's lines of /metrics (Prometheus text). */
  metricsText(): string {
    const d = this.o.delivery;
    const gauge = (name: string, help: string, type: 'gauge' | 'counter'): string => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
    const outcomes = (name: string, help: string, c: AlertDelivery['counts']): string =>
      gauge(name, help, 'counter') +
      `${name}{outcome="delivered"} ${c.delivered}\n${name}{outcome="failed"} ${c.failed}\n${name}{outcome="gave-up"} ${c.gaveUp}\n`;
    const sites = (name: string, at: (s: KnownSite) => number | null): string =>
      this.sites
        .flatMap((s) => {
          const ms = at(s);
          return ms === null ? [] : [`${name}{site="${labelValue(s.display)}"} ${ms / 1000}\n`];
        })
        .join('');
    return (
      gauge('callprobe_site_last_sample_timestamp_seconds', 'When the newest stored sample of each site started (Unix time).', 'gauge') +
      sites('callprobe_site_last_sample_timestamp_seconds', (s) => s.lastStartedAtMs) +
      gauge('callprobe_site_last_report_timestamp_seconds', 'When the newest stored sample of each site that tested (a report) started (Unix time).', 'gauge') +
      sites('callprobe_site_last_report_timestamp_seconds', (s) => s.lastReportAtMs) +
      (d === null
        ? ''
        : outcomes('callprobe_alert_posts_total', 'Alert webhook attempts by this instance, by outcome (failed: tried again later).', d.counts) +
          gauge('callprobe_alert_posts_pending', 'Alert webhook posts waiting in the store for delivery.', 'gauge') +
          `callprobe_alert_posts_pending ${this.pending.alerts}\n` +
          outcomes('callprobe_result_posts_total', 'Result webhook attempts by this instance, by outcome (failed: tried again later).', d.resultCounts) +
          gauge('callprobe_result_posts_pending', 'Result webhook posts waiting in the store for delivery.', 'gauge') +
          `callprobe_result_posts_pending ${this.pending.results}\n`) +
      gauge('callprobe_fleet_ticks_failed_total', 'Heartbeat or alerts passes of this instance that failed.', 'counter') +
      `callprobe_fleet_ticks_failed_total ${this.counts.ticksFailed}\n`
    );
  }
}
