/**
 * Admission on a real `callprobe serve --max-tests 1`: the data plane's lateness reports reach
 * the HTTP process over the channel (none dropped), and with the one test slot held, the page's
 * own signalling client is refused with `server-busy` in the page's sentence, before it offers
 * anything; the refusal is counted. (The plane-busy half, with injected reports:
 * test/server/http/app.test.ts and test/server/dataplane/admission.test.ts.)
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSignalling, type Sig } from '../../bench/lib/abuse.js';
import { SERVER_BUSY_WORDS } from '../../src/protocol/api.js';
import { wsUrl } from '../../src/session/connect.js';
import { SetupError } from '../../src/session/net/errors.js';
import { SignalingClient, type WebSocketCtor } from '../../src/session/net/signaling.js';
import { freePorts } from '../kit/net.js';
import { collector, waitFor } from '../kit/wait.js';
import { serveProcess, type ServeProcess } from '../kit/callprobe.js';

let server: ServeProcess;
let metricsUrl: string;
const sockets: Sig[] = [];

beforeAll(async () => {
  const [turnPort = 0, metricsPort = 0] = await freePorts(2);
  server = await serveProcess({ turnPorts: turnPort, secret: 's', extra: ['--max-tests', '1', '--metrics-listen', `127.0.0.1:${metricsPort}`] });
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.ws.terminate();
  await server?.stop();
});

const metrics = async (): Promise<string> => (await fetch(metricsUrl)).text();

describe('a test past --max-tests', () => {
  it('is told the server is busy, in the page’s words, before it offers; the plane’s reports arrive and it is not judged busy', async () => {
    const reported = await waitFor(async () => ((await metrics()).includes('callprobe_admission_plane_report_age_seconds') ? await metrics() : null), {
      timeoutMs: 5_000,
      what: "the data plane's first lateness report",
    });
    expect(reported).toMatch(/^callprobe_admission_plane_busy 0$/m);
    expect(reported).toMatch(/^callprobe_dataplane_bad_messages_total 0$/m);

    sockets.push(await openSignalling(server.url)); // holds the one slot
    const errors = collector<SetupError>();
    const page = new SignalingClient(
      wsUrl(server.url, '/api/signal'),
      () => undefined,
      (err) => errors.push(err),
      WebSocket as unknown as WebSocketCtor,
    );
    const [err] = await errors.atLeast(1, { timeoutMs: 5_000, what: 'the refusal' });
    expect(err).toBeInstanceOf(SetupError);
    expect(err?.reason).toBe('server-busy');
    expect(err?.message).toBe(SERVER_BUSY_WORDS);
    await page.closed;
    expect(await metrics()).toMatch(/^callprobe_signal_refused_total\{reason="busy"\} 1$/m);
  }, 30_000);
});
