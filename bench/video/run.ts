/**
 * `npm run bench:video`: the video phase's rates against the truth of a real queue. Each
 * scenario puts tc-tbf at one rate on both ways of the router between a client and a server
 * namespace (bench/lib/bottleneck.ts) and runs `callprobe run --video` through it
 * (./testbed.ts); the rate that arrived and the rate carried nearly whole each way stand beside
 * the tbf's configured rate, and what the report says fits beside what that rate allows.
 * Raw results go to bench/results/raw/; `--write-docs` also writes the summary and the
 * docs/benchmarks/video.md section. `--runs N` repeats each scenario.
 */
import { Bottleneck } from '../lib/bottleneck.js';
import { mdTable } from '../lib/docs.js';
import { describePublished, machineInfo, publishResults, resultFiles, today, writeDocsRequested } from '../lib/results.js';
import { benchCommandLine } from '../lib/cli.js';
import { intFlag } from '../lib/flags.js';
import { VIDEO_USES } from '../../src/analysis/grade/video.js';
import type { VideoResult } from '../../src/analysis/schema/video-schema.js';
import { openVideoTestbed } from './testbed.js';

/** The tbf rates, kbit/s, each on both ways: under 720p's 1.2 Mbit/s, between 1080p's 1.5 and our 4.5 cap, and above the cap. */
const RATES_KBIT = [1_000, 3_000, 8_000];

interface Row {
  rateKbit: number;
  run: number;
  video: VideoResult | null;
  /** What Microsoft's per-scenario table allows at the tbf's rate (the truth of the room). */
  truthRoom: string[];
  wallS: number;
}

const kbps = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : `${(v / 1000).toFixed(2)}`);

async function main(): Promise<void> {
  benchCommandLine('bench:video', "The video phase's rates through a real queue (tc-tbf at three rates, both ways) against the queue's configured rate.", [
    { flags: '--runs <n>', description: 'runs per rate (1-20, default 1)' },
  ]);
  if (!Bottleneck.available()) throw new Error('bench:video needs root and tc (it makes network namespaces and queues)');
  const runs = intFlag(process.argv, '--runs', 1, 1, 20);
  const bed = await openVideoTestbed('vbench', 18620);
  const rows: Row[] = [];
  try {
    for (const rateKbit of RATES_KBIT) {
      for (let i = 0; i < runs; i++) {
        // A queue of about 250 ms at the rate: a line's modem, neither bloated nor a policer.
        const q = { rateKbit, limitBytes: Math.max(16_000, Math.round((rateKbit * 1000 * 0.25) / 8)) };
        const r = await bed.run({ spec: { up: q, down: q }, durationS: 1 });
        const x: Row = {
          rateKbit,
          run: i + 1,
          video: r.report.video ?? null,
          truthRoom: VIDEO_USES.filter((u) => u.kbps <= rateKbit).map((u) => u.use),
          wallS: r.wallS,
        };
        rows.push(x);
        process.stderr.write(`tbf ${rateKbit} kbit/s #${i + 1}: ${JSON.stringify(x)}\n`);
      }
    }
  } finally {
    await bed.close();
  }
  const date = today();
  const machine = machineInfo();
  const files = resultFiles('video', date);
  const markdown = [
    `### Video through the relay against a tbf's rate (${date})`,
    '',
    `Command: \`npm run bench:video\` (${runs} run${runs === 1 ? '' : 's'} per rate; ${machine['cores']} cores, ${machine['chromium']}). Summary: \`${files.summary}\`. ` +
      'Each row puts tc-tbf (8 kB burst, a queue of 250 ms at the rate) on both ways of the router between a client and a server namespace and runs `callprobe run --video --duration 1` through it. ' +
      "Arrived is the best window of what the reflector counted of the page's video (up: 2 s, the browser's congestion control sets the rate) and of what the page counted of the reflector's stream (down: 1 s, one step of its schedule), RTP header and payload bytes; nearly whole is the best such window that lost at most 2 %. " +
      'The stream down climbs 0.3, 0.6, 1.2, 2, 3 and 4.5 Mbit/s a step a second, and holds the step below the first one the page reports losing over 5 % of (its RTCP receiver reports): the loss down is mostly that one step. ' +
      "The tbf counts whole IP packets (IP, UDP, TURN and SRTP overhead on top of RTP's), so a rate that fills the queue arrives a few percent under it. The page's encoder is capped at 4.5 Mbit/s and the reflector's schedule tops out there, so above it the figures are the test's cap, not the line's. " +
      "Room: what the report says fits both ways, against what Microsoft's per-scenario bitrates allow at the tbf's rate.",
    '',
    mdTable(
      [
        'tbf each way (Mbit/s)',
        'run',
        'up arrived',
        'up nearly whole',
        'up loss',
        'up held by',
        'down arrived',
        'down nearly whole',
        'down loss',
        'down held by',
        'room',
        'room the rate allows',
      ],
      rows.map((x) => {
        const v = x.video;
        return [
          (x.rateKbit / 1000).toFixed(1),
          x.run,
          kbps(v?.upstream.arrivedKbps),
          kbps(v?.upstream.cleanKbps),
          v?.upstream.lossPct === null || v === null ? '–' : `${v.upstream.lossPct} %`,
          v?.upstream.limitedBy ?? '–',
          kbps(v?.downstream.arrivedKbps),
          kbps(v?.downstream.cleanKbps),
          v?.downstream.lossPct === null || v === null ? '–' : `${v.downstream.lossPct} %`,
          v?.downstream.limitedBy ?? '–',
          v === null ? 'no video section' : v.room.join(', '),
          x.truthRoom.join(', '),
        ];
      }),
    ),
    '',
    'Rates in Mbit/s.',
  ].join('\n');
  const published = publishResults(
    {
      name: 'video',
      raw: { machine, rows },
      summary: {
        machine,
        rows: rows.map((x) => ({
          rateKbit: x.rateKbit,
          run: x.run,
          upArrivedKbps: x.video?.upstream.arrivedKbps ?? null,
          upCleanKbps: x.video?.upstream.cleanKbps ?? null,
          downArrivedKbps: x.video?.downstream.arrivedKbps ?? null,
          downCleanKbps: x.video?.downstream.cleanKbps ?? null,
          room: x.video?.room ?? null,
          truthRoom: x.truthRoom,
        })),
      },
      docs: { page: 'video', section: 'video', markdown },
    },
    { writeDocs: writeDocsRequested(process.argv) },
  );
  process.stdout.write(`${markdown}\n\n${describePublished(published)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:video: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
