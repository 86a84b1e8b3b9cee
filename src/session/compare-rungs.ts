import type { ServerConfig, TurnServerEntry } from '../protocol/api.js';
import type { TestMode } from '../analysis/schema/input.js';
import type { CompareResult } from '../analysis/schema/report-schema.js';
import { compareRow, unreachableRow, worstRung, type CompareRow, type CompareRung } from '../analysis/grade/compare.js';
import { familyOf, rungError } from '../analysis/grade/connectivity.js';
import { worstRungReason } from '../analysis/present/sentences.js';
import { CONSTANTS } from '../protocol/defaults.js';
import { connectLinks, type Links } from './connect.js';
import { SetupError } from './net/errors.js';
import { iceServerFor } from './net/config.js';
import type { SimplePeerCtor, WrtcImpl } from './net/simple-peer.js';
import type { WebSocketCtor } from './net/signaling.js';
import type { PacerLike, PacerOptions } from './pacer/types.js';
import { probeCount } from './plan/rates.js';
import { streamProbes } from './probe-stream.js';

export interface CompareSetup {
  /** The rungs to compare: every reachable one, in ladder order. */
  entries: readonly TurnServerEntry[];
  secondsPerRung: number;
  mode: TestMode;
  ratePps: number;
  payloadBytes: number;
  cfg: Pick<ServerConfig, 'username' | 'credential'>;
  signalingUrl: string | null;
  SimplePeer: SimplePeerCtor;
  connectTimeoutMs: number;
  signal: AbortSignal;
  createPacer(opts: PacerOptions): PacerLike;
  wrtc?: WrtcImpl;
  WebSocketImpl?: WebSocketCtor;
  phase(detail: string): void;
  now(): number;
  /** The pause before a rung the server refused as busy is tried again; default CONSTANTS.compareBusyRetryMs. */
  busyRetryMs?: number;
}

export interface CompareOutcome {
  compare: CompareResult;
  /** Time to a connected media path through each compared rung, by TURN URI. */
  connectMsByUrl: Map<string, number>;
}

/**
 * Compare mode: one short stream through each rung in turn, after the graded stream, each
 * on its own connection. A rung that fails is a row with its error, never a failed test.
 */
export async function compareRungs(s: CompareSetup): Promise<CompareOutcome> {
  const rows: CompareRow[] = [];
  const connectMsByUrl = new Map<string, number>();
  const intervalMs = 1000 / s.ratePps;
  for (const entry of s.entries) {
    if (s.signal.aborted) break;
    const rung: CompareRung = { transport: entry.transport, port: entry.port, family: familyOf(entry.url) };
    s.phase(`comparing ${entry.transport}/${entry.port} for ${s.secondsPerRung} s`);
    let links: Links | null = null;
    try {
      const connect = async (): Promise<Links> =>
        connectLinks({
          mode: s.mode,
          SimplePeer: s.SimplePeer,
          iceServers: [iceServerFor(entry, s.cfg)],
          signalingUrl: s.signalingUrl,
          timeoutMs: s.connectTimeoutMs,
          signal: s.signal,
          wrtc: s.wrtc,
          WebSocketImpl: s.WebSocketImpl,
        });
      let startMs = s.now();
      try {
        links = await connect();
      } catch (err) {
        if (!isServerBusy(err)) throw err;
        // Our server's admission refused this rung's stream: its capacity, not the rung. Once more after a pause.
        s.phase(`the test server is busy: trying ${entry.transport}/${entry.port} again`);
        await pause(s.busyRetryMs ?? CONSTANTS.compareBusyRetryMs, s.signal);
        startMs = s.now();
        links = await connect();
      }
      connectMsByUrl.set(entry.url, s.now() - startMs);
      const out = await streamProbes({
        mode: s.mode,
        sender: links.sender,
        receiver: links.receiver,
        control: links.control,
        count: probeCount(s.secondsPerRung, s.ratePps),
        intervalMs,
        payloadBytes: s.payloadBytes,
        createPacer: (o) => s.createPacer(o),
        signal: s.signal,
        phase: () => undefined,
        live: () => undefined,
        mark: () => undefined,
        signalingClosed: links.signalingClosed,
      });
      const rec = out.build([]);
      rows.push(out.connectionLost ? unreachableRow(rung, 'timeout') : compareRow(rung, rec, out.lossTimeoutMs));
    } catch (err) {
      const error = isServerBusy(err) ? 'server-busy' : (rungError({ reachable: false, error: (err as Error).message }) ?? 'gather-failed');
      rows.push(unreachableRow(rung, error));
    } finally {
      links?.close();
    }
  }
  const worst = worstRung(rows);
  return {
    compare: {
      secondsPerRung: s.secondsPerRung,
      rungs: rows,
      worst: worst ? { transport: worst.rung.transport, port: worst.rung.port, family: worst.rung.family, reason: worstRungReason(worst) } : null,
    },
    connectMsByUrl,
  };
}

/** The test server's admission refused the stream (SERVER_BUSY): the server's capacity, never the rung's. */
function isServerBusy(err: unknown): boolean {
  return err instanceof SetupError && err.reason === 'server-busy';
}

/** A pause that ends early, without error, when the test is stopped (the next connect then sees the abort). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
