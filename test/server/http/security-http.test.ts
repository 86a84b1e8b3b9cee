/**
 * /metrics is not on the public port, only on --metrics-listen (off by
 * default); every response carries the Content-Security-Policy (the page passes it: see
 * e2e/skeleton.spec.ts, no CSP violation in the console).
 *
 * Failed on the starting code (c0b4902): /metrics answered 200 on the public port, there was
 * no --metrics-listen and no Content-Security-Policy header.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveProcess, type ServeProcess } from '../../kit/callprobe.js';

let server: ServeProcess;
let metricsUrl: string;

beforeAll(async () => {
  server = await serveProcess({ turnPorts: 0, relayPorts: '32000-32099', secret: 's', extra: ['--metrics-listen', '127.0.0.1:0'] });
  const line = await server.proc.waitForLine(/metrics on http:\/\//, { timeoutMs: 5_000, what: 'the metrics address' });
  metricsUrl = /(http:\/\/\S+)/.exec(line)?.[1] ?? '';
}, 30_000);

afterAll(async () => {
  await server?.stop();
});

describe('HTTP hardening', () => {
  it('serves /metrics only on --metrics-listen', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    const res = await fetch(metricsUrl);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('callprobe_reflector_sessions 0');
    expect(text).toContain('callprobe_reflector_candidates_dropped_total 0');
    expect(new URL(metricsUrl).port).not.toBe(new URL(server.url).port);
  });

  it('sends a strict Content-Security-Policy', async () => {
    const res = await fetch(`${server.url}/healthz`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
  });
});
