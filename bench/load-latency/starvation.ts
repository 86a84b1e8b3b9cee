/**
 * Do load phases starve other users' probes on the same server? User B runs an ordinary test
 * (no load) against `callprobe serve` from inside the server's namespace (its own path: it never
 * crosses A's queue), once alone and once while user A's busy-line phase loads the server as
 * hard as this host allows (no shaping, a 1 GB budget: the sink and source at full speed for
 * their 10 s each). Whatever changes in B's figures is the server's doing: its CPU, its event
 * loop, its relay.
 */
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import type { Report } from '../../src/analysis/schema/report-schema.js';
import { Bottleneck } from '../lib/bottleneck.js';
import { BenchError, CLI } from '../lib/processes.js';
import { serveIn, stop } from './testbed.js';

export interface StarvationFigures {
  rttMsP50: number | null;
  rttMsP90: number | null;
  jitterMs: number | null;
  lossPct: number | null;
  verdict: string;
  /** What carried the graded probes: the RTP stream, or the data channel (and why: the report's own words). */
  probes: string;
  /** Why the evidence was not enough, when the verdict says so. */
  insufficientCause: string | null;
}

export interface StarvationResult {
  alone: StarvationFigures;
  beside: StarvationFigures;
  /** What A's phase moved while B ran, and how fast. */
  a: { bytes: number | null; upMbps: number | null; downMbps: number | null; phaseMs: number | null };
}

function figures(r: Report): StarvationFigures {
  return {
    rttMsP50: r.summary.rttMsP50,
    rttMsP90: r.summary.rttMsP90,
    jitterMs: r.summary.jitterMs,
    lossPct: r.summary.lossPct,
    verdict: r.summary.verdict,
    probes: r.probe.path === 'rtp' ? 'RTP' : `data channel (${r.probe.reason})`,
    insufficientCause: r.summary.insufficientCause ?? null,
  };
}

async function report(child: ChildProcess, what: string): Promise<Report> {
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0 && code !== 1 && code !== 2) throw new BenchError(`${what} exited ${String(code)}: ${err}`);
  return JSON.parse(out) as Report;
}

export async function runStarvation(httpPort: number, durationS = 20): Promise<StarvationResult> {
  const net = Bottleneck.create('starve', { up: null, down: null });
  const started: ChildProcess[] = [];
  try {
    const ip = Bottleneck.serverIp;
    started.push(await serveIn(net, httpPort, ['--load-max-bytes', '1000000000']));
    const base = `http://${ip}:${httpPort}`;
    const b = (): ChildProcess => net.spawn('server', process.execPath, [CLI, 'run', '--server', base, '--json', '--no-save', '--duration', String(durationS)]);
    const alone = figures(await report(b(), 'user B alone'));
    const a = net.spawn('client', process.execPath, [CLI, 'run', '--server', base, '--load', '--json', '--no-save', '--duration', '3']);
    started.push(a);
    const aReport = report(a, 'user A');
    // B starts as A's idle window ends, so A's phase falls inside B's test.
    await new Promise((r) => setTimeout(r, 5_000));
    const beside = figures(await report(b(), 'user B beside A'));
    const l = (await aReport).load;
    return {
      alone,
      beside,
      a: { bytes: l?.bytes ?? null, upMbps: l?.up?.goodputMbps ?? null, downMbps: l?.down?.goodputMbps ?? null, phaseMs: l?.durationMs ?? null },
    };
  } finally {
    for (const c of started.reverse()) await stop(c);
    net.delete();
  }
}
