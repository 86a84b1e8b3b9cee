/**
 * `callprobe run --video` through a real bottleneck (bench/lib/bottleneck.ts): `callprobe serve`
 * in the server namespace, headless Chromium's `run` in the client namespace, and between them
 * the router's tbf queues (a line's rate) or an nftables UDP policer (a firewall). One testbed
 * serves several runs: each puts its own queues (in place) and policer first. What the queue
 * carried (tc's statistics) is kept for the record beside the report.
 */
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import type { Report } from '../../src/analysis/schema/report-schema.js';
import { Bottleneck, type BottleneckSpec } from '../lib/bottleneck.js';
import { BenchError, CLI } from '../lib/processes.js';
import { serveIn, stop } from '../load-latency/testbed.js';

interface VideoRunOptions {
  spec: BottleneckSpec;
  /** Police UDP going up at this rate (kbit/s) in the router, TCP left alone; absent: no policer. */
  policeUdpUpKbit?: number;
  /** Also run the busy line (`--load`): the web path's goodput beside the UDP path's video. */
  load?: boolean;
  /** The idle window of the voice probes (s). */
  durationS: number;
  /** Where `run` writes its evidence (`--evidence`); absent: none written. */
  evidenceFile?: string;
}

interface VideoTestbedRun {
  report: Report;
  exitCode: number | null;
  /** tc's statistics of each direction's queue after the run. */
  queue: { up: string; down: string };
  wallS: number;
}

export interface VideoTestbed {
  run(o: VideoRunOptions): Promise<VideoTestbedRun>;
  close(): Promise<void>;
}

/** The namespaces and `callprobe serve` in the server's, once; `run` as often as asked; `close` undoes them. */
export async function openVideoTestbed(tag: string, httpPort: number): Promise<VideoTestbed> {
  const net = Bottleneck.create(tag, { up: null, down: null });
  let serve: ChildProcess;
  try {
    serve = await serveIn(net, httpPort);
  } catch (err) {
    net.delete();
    throw err;
  }
  return {
    run: async (o) => {
      net.shape(o.spec);
      net.unpoliceUdp();
      if (o.policeUdpUpKbit !== undefined) net.policeUdpUp(o.policeUdpUpKbit);
      const t0 = Date.now();
      const args = [CLI, 'run', '--server', `http://${Bottleneck.serverIp}:${httpPort}`, '--video', '--json', '--no-save', '--duration', String(o.durationS)];
      const extra = [...(o.load === true ? ['--load'] : []), ...(o.evidenceFile === undefined ? [] : ['--evidence', o.evidenceFile])];
      const run = net.spawn('client', process.execPath, [...args, ...extra]);
      let out = '';
      let err = '';
      run.stdout?.on('data', (b: Buffer) => (out += b.toString()));
      run.stderr?.on('data', (b: Buffer) => (err += b.toString()));
      const [code] = (await once(run, 'exit')) as [number | null];
      if (code !== 0 && code !== 1 && code !== 2) throw new BenchError(`callprobe run exited ${String(code)}: ${err.slice(-800)}`);
      return {
        report: JSON.parse(out) as Report,
        exitCode: code,
        queue: { up: net.queueStats('up'), down: net.queueStats('down') },
        wallS: (Date.now() - t0) / 1000,
      };
    },
    close: async () => {
      await stop(serve);
      net.delete();
    },
  };
}
