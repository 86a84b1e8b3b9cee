/**
 * The abusive busy-line client: from each of several addresses (e.g. four IPv6 /64s), busy-line
 * phases back to back at full speed, each filling its flows (`upFlows` uploads that send as fast
 * as the socket takes, `downFlows` downloads read as fast as they come), for `durationMs`. Each
 * flow makes requests of the most one request may move (DEFAULTS.load.requestBytesMax) one after
 * the other until its share of the grant's budget is spent or the grant expires; then the next
 * grant. Refusals are counted by reason
 * (a refused grant waits `retryMs` before the next). What the server's sink and source then do
 * is everything this host lets one client make them do; run in a CPU cgroup (cpu-cap.ts) it is
 * a client of a known size.
 *
 * Bounded: every flow is cut at the end, and nothing is sent after it.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { LOAD_DOWN_PATH, LOAD_GRANT_PATH, LOAD_UP_PATH, type LoadGrant } from '../../src/protocol/api-load.js';
import { DEFAULTS } from '../../src/protocol/defaults.js';

export interface LoadFloodOptions {
  /** The server's base URLs for IPv4 and IPv6 sources (e.g. http://127.0.0.1:8080 and http://[::1]:8080). */
  baseUrl: { 4: string; 6: string };
  /** The addresses the phases come from, one phase at a time each. */
  from: readonly string[];
  upFlows: number;
  downFlows: number;
  durationMs: number;
  /** A refused grant is asked again after this long. */
  retryMs?: number;
  /** Ends the flood at once (every flow cut), before durationMs. */
  signal?: AbortSignal;
}

export interface LoadFloodResult {
  phases: number;
  /** Bytes the flows moved, each direction. */
  upBytes: number;
  downBytes: number;
  /** Refusals (grants and flows) by reason. */
  refusals: Record<string, number>;
  /** Flows that ended with a socket error (cut by the server, or at the end). */
  cut: number;
}

const CHUNK = Buffer.alloc(64 * 1024, 0x5a);

/** A refusal's reason, or the status the rate limiter answered with (its body names none). */
function reasonOf(text: string, status: number | undefined): string {
  try {
    return (JSON.parse(text) as { reason?: string }).reason ?? `status ${String(status)}`;
  } catch {
    return `status ${String(status)}`;
  }
}

export async function floodLoadFlows(o: LoadFloodOptions): Promise<LoadFloodResult> {
  const result: LoadFloodResult = { phases: 0, upBytes: 0, downBytes: 0, refusals: {}, cut: 0 };
  const refused = (why: string): void => {
    result.refusals[why] = (result.refusals[why] ?? 0) + 1;
  };
  let endAt = performance.now() + o.durationMs;
  const open = new Set<http.ClientRequest>();
  o.signal?.addEventListener('abort', () => {
    endAt = performance.now();
    for (const r of open) r.destroy();
  });
  const urlFor = (address: string, path: string): URL => new URL(path, address.includes(':') ? o.baseUrl[6] : o.baseUrl[4]);
  const agentless = { agent: false as const };

  const grant = (address: string): Promise<LoadGrant | null> =>
    new Promise((resolve) => {
      const req = http.request(urlFor(address, LOAD_GRANT_PATH), { method: 'POST', localAddress: address, ...agentless }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          if (res.statusCode === 201) resolve(JSON.parse(text) as LoadGrant);
          else {
            refused(reasonOf(text, res.statusCode));
            resolve(null);
          }
        });
        res.on('error', () => resolve(null));
      });
      req.on('error', () => resolve(null));
      req.end();
    });

  /** One upload of `bytes`, written as fast as the socket takes it; whether it was taken whole. */
  const upload = (address: string, g: string, bytes: number): Promise<boolean> =>
    new Promise((resolve) => {
      const req = http.request(urlFor(address, `${LOAD_UP_PATH}?grant=${g}`), {
        method: 'POST',
        localAddress: address,
        headers: { 'content-length': String(bytes), 'content-type': 'application/octet-stream' },
        ...agentless,
      });
      open.add(req);
      let left = bytes;
      const done = (ok: boolean): void => {
        open.delete(req);
        resolve(ok);
      };
      const pump = (): void => {
        while (left > 0 && performance.now() < endAt) {
          const n = Math.min(left, CHUNK.length);
          left -= n;
          result.upBytes += n;
          if (!req.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
            req.once('drain', pump);
            return;
          }
        }
        if (left === 0) req.end();
        else req.destroy();
      };
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          if (res.statusCode !== 200) refused(reasonOf(text, res.statusCode));
          done(res.statusCode === 200);
        });
        res.on('error', () => done(false));
      });
      req.on('error', () => {
        result.cut++;
        done(false);
      });
      pump();
    });

  /** One download of `bytes`, read as fast as it comes; whether it came whole. */
  const download = (address: string, g: string, bytes: number): Promise<boolean> =>
    new Promise((resolve) => {
      let got = 0;
      const req = http.request(
        urlFor(address, `${LOAD_DOWN_PATH}?grant=${g}&bytes=${bytes}`),
        { method: 'GET', localAddress: address, ...agentless },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => {
            if (res.statusCode === 200) {
              result.downBytes += d.length;
              got += d.length;
            } else text += d.toString();
            if (performance.now() >= endAt) req.destroy();
          });
          res.on('end', () => {
            if (res.statusCode !== 200) refused(reasonOf(text, res.statusCode));
            open.delete(req);
            resolve(got === bytes);
          });
          res.on('error', () => {
            open.delete(req);
            resolve(false);
          });
        },
      );
      open.add(req);
      req.on('error', () => {
        result.cut++;
        open.delete(req);
        resolve(false);
      });
      req.end();
    });

  const phasesFrom = async (address: string): Promise<void> => {
    while (performance.now() < endAt) {
      const g = await grant(address);
      if (g === null) {
        await new Promise((r) => setTimeout(r, Math.min(o.retryMs ?? 500, Math.max(0, endAt - performance.now()))));
        continue;
      }
      result.phases++;
      // The grant's last seconds are left alone: a request must finish before it expires (its
      // lifetime counted from here: the grant's expiresAtMs is on the server's clock).
      const until = Math.min(endAt, performance.now() + DEFAULTS.load.grantTtlMs - 3_000);
      const flow = async (share: number, one: (bytes: number) => Promise<boolean>): Promise<void> => {
        for (let left = share; left > 0 && performance.now() < Math.min(until, endAt);) {
          const bytes = Math.min(left, DEFAULTS.load.requestBytesMax);
          left -= bytes;
          if (!(await one(bytes))) return;
        }
      };
      await Promise.all([
        ...Array.from({ length: o.upFlows }, () => flow(Math.floor(g.maxBytesPerDirection / o.upFlows), (b) => upload(address, g.grant, b))),
        ...Array.from({ length: o.downFlows }, () => flow(Math.floor(g.maxBytesPerDirection / o.downFlows), (b) => download(address, g.grant, b))),
      ]);
    }
  };

  const stop = setTimeout(() => {
    for (const r of open) r.destroy();
  }, o.durationMs + 1_000);
  await Promise.all(o.from.map((a) => phasesFrom(a)));
  clearTimeout(stop);
  for (const r of open) r.destroy();
  return result;
}
