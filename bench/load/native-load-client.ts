/**
 * The load client's per-packet part (./native/load-client.c, built by `npm run build` into
 * dist/native/callprobe-load-client.node): the pacing, the probes' SRTP and ChannelData, and the
 * echoes' reading for every test of one process, in C. This file loads it and types it; the
 * capacity bench needs it and says so when it is not built.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RtpDirectionHandle } from '../../server/reflector/rtp/srtp-crypto.js';

declare const clientHandle: unique symbol;
/** The addon's client: opaque to JavaScript. */
export type LoadClientHandle = { readonly [clientHandle]: true };

/** One test's counts, as the addon keeps them. */
export interface NativeStreamCounts {
  /** Probes of the measured span sent, and those sent more than one interval late (their round trips left out). */
  sent: number;
  sentLate: number;
  /** Echoes of measured probes (each probe once). */
  echoes: number;
  /** Probes of the measured span the loop skipped (due more than `catchUp` intervals ago): never sent, never loss. */
  missedTicks: number;
  /** Echoes of probes sent before the measured span: the leg carries the stream. */
  warmEchoes: number;
  /** Echoes that could not be read (never counted as echoes), and why the first could not. */
  badEchoes: number;
  firstBadEcho: string | null;
  /** Probes the socket refused (its buffer full, the socket gone), and the first one's errno (negative: SRTP refused it). */
  sendFailed: number;
  firstSendErrno: number;
  /** Each measured probe's round trip, ms, in the order the echoes came. */
  rttMs: Float64Array;
}

/** The measured span: how late the pacer's every wake-up in it came. */
interface NativeSpan {
  lateMs: Float64Array;
  /** Pairs: where in the span a wake-up more than one interval late was due (ms from its start), and how late it came. */
  stalls: Float64Array;
}

export interface LoadClientAddon {
  create(phases: number, catchUp: number, intervalMs: number, frameBytes: number): LoadClientHandle;
  add(
    client: LoadClientHandle,
    fd: number,
    relayIp: string,
    relayPort: number,
    channel: number,
    ssrc: number,
    payloadType: number,
    up: RtpDirectionHandle,
    down: RtpDirectionHandle,
    onOther: (datagram: Buffer) => void,
  ): number;
  remove(client: LoadClientHandle, index: number): void;
  measure(client: LoadClientHandle, spanMs: number): void;
  /** Whether the measured span is over (cheap: `span` copies every wake-up's lateness). */
  over(client: LoadClientHandle): boolean;
  span(client: LoadClientHandle): NativeSpan;
  counts(client: LoadClientHandle, index: number): NativeStreamCounts;
  close(client: LoadClientHandle): void;
}

const FUNCTIONS = ['create', 'add', 'remove', 'measure', 'over', 'span', 'counts', 'close'] as const;

/** Where `npm run build` puts the addon: dist/native/ of the package this file is in (as source or built). */
function addonPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'native', 'callprobe-load-client.node');
}

/** The addon, or an Error saying how to build it. */
export function loadClientAddon(): LoadClientAddon {
  const path = addonPath();
  if (!existsSync(path))
    throw new Error(`the load client's addon is not built (${path}): the capacity bench needs it; run npm run build with a C compiler and OpenSSL's headers`);
  const loaded = createRequire(import.meta.url)(path) as Record<string, unknown>;
  const missing = FUNCTIONS.filter((f) => typeof loaded[f] !== 'function');
  if (missing.length > 0) throw new Error(`${path} is not this version's load client (no ${missing.join(', ')}): run npm run build again`);
  return loaded as unknown as LoadClientAddon;
}
