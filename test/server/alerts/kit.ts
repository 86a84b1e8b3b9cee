/**
 * What the alert tests share: a local HTTP webhook receiver (its answers settable, each body and
 * idempotency key kept), site reports of a given round trip, and one instance's alert machinery
 * (SiteAlerts, AlertDelivery and the FleetLoop that beats, holds the lease and delivers).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SiteAlerts, type AlertLog } from '../../../server/alerts/index.js';
import { AlertDelivery, type DeliverySettings } from '../../../server/alerts/delivery.js';
import type { AlertsConfig } from '../../../server/alerts/config.js';
import { FleetLoop } from '../../../server/fleet/loop.js';
import type { ResultStore } from '../../../server/store/types.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { reflectorInput } from '../../analysis/report/inputs.js';

export interface Receiver {
  url: string;
  bodies: Array<Record<string, unknown>>;
  /** The Idempotency-Key header of each request, in order (failed ones too). */
  keys: string[];
  /** When each request arrived (Date.now), in order (failed ones too). */
  times: number[];
  /** What it answers; 0: it closes the connection without answering. */
  status: number;
  server: Server;
  close(): Promise<void>;
  /** Down: it stops listening and drops its connections (a post gets no connection); `up` listens again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  let port = 0;
  const listen = (): Promise<void> => new Promise<void>((resolve) => r.server.listen(port, '127.0.0.1', resolve));
  const r: Receiver = {
    url: '',
    bodies: [],
    keys: [],
    times: [],
    status: 204,
    server: createServer(),
    close: () =>
      new Promise<void>((resolve) => {
        if (!r.server.listening) return resolve();
        r.server.close(() => resolve());
        r.server.closeAllConnections();
      }),
    down: () => r.close(),
    up: listen,
  };
  r.server.on('request', (req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      r.keys.push(String(req.headers['idempotency-key']));
      r.times.push(Date.now());
      if (r.status === 0) {
        req.socket.destroy();
        return;
      }
      if (r.status < 300) r.bodies.push(JSON.parse(text) as Record<string, unknown>);
      res.writeHead(r.status).end();
    });
  });
  await listen();
  port = (r.server.address() as AddressInfo).port;
  r.url = `http://127.0.0.1:${port}/hook`;
  return r;
}

/** Reports are analysed once per round trip, then dated and placed. */
const analysed = new Map<number, ReturnType<typeof analyze>>();
export function siteReport(site: string, rttMs: number, startedAtMs: number): string {
  let r = analysed.get(rttMs);
  if (r === undefined) {
    r = analyze(reflectorInput({ count: 1510, rttMs: () => rttMs }));
    analysed.set(rttMs, r);
  }
  return JSON.stringify({ ...r, meta: { ...r.meta, site, startedAt: new Date(startedAtMs).toISOString() } });
}

/** A 5 s test of a site: no 15 s window filled, so loss and jitter over 15 s could not be judged (the other targets are). */
export function shortSiteReport(site: string, startedAtMs: number): string {
  const r = analyze(reflectorInput({ count: 500, rttMs: () => 40 }));
  return JSON.stringify({ ...r, meta: { ...r.meta, site, startedAt: new Date(startedAtMs).toISOString() } });
}

export interface AlertInstance {
  alerts: SiteAlerts;
  delivery: AlertDelivery;
  loop: FleetLoop;
}

/** Fast retries for tests (the product's: DEFAULTS.alerts). */
const FAST_DELIVERY: DeliverySettings = { ...DEFAULTS.alerts, retryBaseMs: 20, retryMaxMs: 200, retryForMs: 60_000 };

/**
 * One instance's alerts on `store`: decided changes are delivered by whichever instance holds the
 * lease, at once when this one does (kick) and at its next beat otherwise (`heartbeatMs`, real
 * time); `nowMs` is the store's clock.
 */
export async function alertInstance(
  store: ResultStore,
  config: AlertsConfig,
  log: AlertLog,
  nowMs: () => number,
  opts: { heartbeatMs?: number; delivery?: DeliverySettings; heartbeatGraceMs?: number; sweepIntervalMs?: number } = {},
): Promise<AlertInstance> {
  let loop: FleetLoop | null = null;
  const service = { heartbeatGraceMs: opts.heartbeatGraceMs ?? DEFAULTS.fleet.heartbeatGraceMs, lookbackMs: DEFAULTS.fleet.lookbackMs };
  const alerts = new SiteAlerts(config, store, log, service, () => loop?.kick());
  const delivery = new AlertDelivery(store, { alerts: config.webhooks, results: [], shareBase: () => '' }, log, opts.delivery ?? FAST_DELIVERY);
  loop = new FleetLoop({
    store,
    alerts,
    delivery,
    log,
    nowMs,
    settings: {
      heartbeatMs: opts.heartbeatMs ?? 50,
      leaseTtlMs: DEFAULTS.fleet.leaseTtlMs,
      sweepIntervalMs: opts.sweepIntervalMs ?? DEFAULTS.alerts.sweepIntervalMs,
    },
  });
  await loop.start();
  return { alerts, delivery, loop };
}
