import { existsSync, writeFileSync } from 'node:fs';
import { schemaErrors } from '../test/kit/report-validator.js';
import { runCallprobe as callprobe, serveProcess, spawnCallprobe } from '../test/kit/callprobe.js';
import { runProcess } from '../test/kit/process.js';
import { startCoturn } from './fixtures/coturn.js';
import { cliChromium } from './fixtures/cli-chromium.js';
import { workerPort } from './fixtures/env.js';
import { expect, test } from './fixtures/test.js';

interface ReportShape {
  meta: { mode: string; ratePps: number };
  probe: { path: string };
  directions: { up: { packetsSent: number; packetsLost: number }; down: { packetsLost: number }; roundTrip?: { rttMs: { p50: number } | null } | null };
  diagnostics: { notes: string[] };
  path: { transport: string; port: number | null };
  summary: Record<string, unknown> & { verdict: string; upstream: unknown; downstream: unknown; packetsReceived: number };
  grades: { status: string }[];
  witness: { source: string; upstream: Record<string, number | null>; downstream: Record<string, number | null> | null } | null;
  qos?: { upstream: { state: string; reason?: string }; downstream: { state: string; reason?: string } };
}

test.describe('callprobe run', () => {
  // A full test graded pass: a verdict, so a measurement (a busy machine makes it "could not judge").
  test(
    'a full 15 s test passes on a clean loopback path, graded on RTP at 100 probes/s: exit 0 and one schema-valid JSON report, saved once',
    { tag: ['@measure', '@pair'] },
    async ({ server: E2E }) => {
      test.setTimeout(90_000);
      const stored = async (): Promise<number> => {
        const res = await fetch(`${E2E.baseUrl}/api/results?format=json`, { headers: { authorization: `Bearer ${E2E.adminToken}` } });
        expect(res.status).toBe(200);
        return ((await res.json()) as unknown[]).length;
      };
      const before = await stored();
      const r = await callprobe(['run', '--server', E2E.baseUrl, '--json'], 80_000);
      expect(r.stderr).toContain('streaming');
      const report = JSON.parse(r.stdout) as ReportShape;
      // The schema requires every summary field (rttMsP50 ... verdict): a missing one is a schema error.
      expect(schemaErrors(report)).toEqual([]);
      expect(report).toMatchObject({ meta: { mode: 'reflector' }, path: { transport: 'udp', port: E2E.udpPorts[0] } });
      expect(report.summary.verdict).toBe('pass');
      expect(report.grades.every((g) => g.status === 'pass')).toBe(true);
      // Graded on RTP at 100 probes/s: 15 s of frames (plus the send margin), every one stamped, echoed
      // and counted.
      expect(report.probe.path).toBe('rtp');
      expect(report.meta.ratePps).toBe(100);
      expect(report.directions.up.packetsSent).toBeGreaterThan(1450);
      expect(report.directions.up.packetsSent).toBeLessThan(1600);
      expect(report.directions.up.packetsLost).toBe(0);
      expect(report.directions.down.packetsLost).toBe(0);
      const rtt = Number(report.summary['rttMsP50']);
      expect(rtt).toBeGreaterThan(0);
      expect(rtt).toBeLessThan(10);
      // The RTP leg alone: no data-channel stream ran beside it (none of its notes).
      expect(
        report.diagnostics.notes.filter((n) => n.includes('data-channel')),
        report.diagnostics.notes.join('\n'),
      ).toEqual([]);
      // The relay witnessed the page's audio track (SRTP, headers read in clear): nothing lost,
      // duplicated or reordered on a clean loopback path.
      expect(report.witness?.source).toBe('relay');
      expect(report.witness?.upstream).toMatchObject({ lost: 0, duplicates: 0, reordered: 0, ssrcs: 1 });
      expect(report.witness?.upstream['packets']).toBeGreaterThan(100);
      expect(r.code).toBe(0);
      // Saved once, from the CLI: the code and link on stderr, the same report behind the link.
      const saved = /^result: ([0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}) (\S+)$/m.exec(r.stderr);
      expect(saved, r.stderr).not.toBeNull();
      expect(saved?.[2]).toBe(`${E2E.baseUrl}/r/${saved?.[1]}`);
      const shared = (await (await fetch(`${E2E.baseUrl}/api/r/${saved?.[1]}`)).json()) as { report: unknown };
      expect(shared.report).toEqual(report);
      // The page run drives got save=0: the CLI's one save is the only record.
      expect(await stored()).toBe(before + 1);
    },
  );

  test('Ctrl-C and SIGTERM stop a test at once: Chromium closed, nothing of it left in the temporary directory, exit 130 and 143', async ({ server: E2E }) => {
    test.setTimeout(60_000);
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const run = spawnCallprobe(['run', '--server', E2E.baseUrl, '--json', '--no-save', '--duration', '15'], { deadlineMs: 50_000 });
      try {
        await run.waitForLine(/^callprobe: streaming/, { timeoutMs: 30_000, what: 'the test streaming', stream: 'stderr' });
        const chromium = cliChromium(run.pid);
        run.child.kill(signal);
        const status = await run.exited;
        expect(status.code, `${signal}: ${run.stderr().slice(-500)}`).toBe(code);
        expect([existsSync(chromium.profileDir), existsSync(chromium.socketDir)], `${chromium.profileDir} ${chromium.socketDir}`).toEqual([false, false]);
      } finally {
        await run.stop();
      }
    }
  });

  test("--csv prints the export header and this test's row; --site needs the operator token", async ({ server: E2E }) => {
    test.setTimeout(60_000);
    expect((await callprobe(['run', '--server', E2E.baseUrl, '--site', 'E2E site'], 10_000)).code).toBe(3);
    const r = await callprobe(
      ['run', '--server', E2E.baseUrl, '--duration', '2', '--csv', '--site', 'E2E site', '--ticket', 'HD-9', '--admin-token', E2E.adminToken],
      50_000,
    );
    const code = /^result: (\S+) /m.exec(r.stderr)?.[1];
    expect(code, r.stderr).toBeDefined();
    const [header, row, end] = r.stdout.split('\r\n');
    expect(end).toBe('');
    const exported = await fetch(`${E2E.baseUrl}/api/results?format=csv&site=E2E%20site`, { headers: { authorization: `Bearer ${E2E.adminToken}` } });
    const lines = (await exported.text()).split('\r\n');
    expect(lines[0]).toBe(header);
    expect(lines).toContain(row);
    expect(row).toContain(`,${code},report,E2E site,HD-9,`);
  });

  test('a test too short to fill a 15 s window is insufficient: exit 2, human summary on stdout', async ({ server: E2E }) => {
    const r = await callprobe(['run', '--server', E2E.baseUrl, '--duration', '2'], 60_000);
    expect(r.stdout).toMatch(/^Verdict: INSUFFICIENT/);
    // A number, or "–" where this device was too busy for a clean round trip (the functional project runs 3 at a time).
    expect(r.stdout).toMatch(/round trip p50 (\d+\.\d ms|–)/);
    expect(r.code).toBe(2);
  });

  test('run --json output posted by curl is stored as is, and its code shows the same report', async ({ server: E2E }) => {
    test.setTimeout(60_000);
    const r = await callprobe(['run', '--server', E2E.baseUrl, '--duration', '2', '--no-save', '--json'], 50_000);
    expect(r.stderr).not.toMatch(/^result: /m);
    const file = test.info().outputPath('report.json');
    writeFileSync(file, r.stdout);
    const post = await runProcess(
      'curl',
      ['-sS', '--data-binary', `@${file}`, '-H', 'content-type: application/json', '-w', '\n%{http_code}', `${E2E.baseUrl}/api/results`],
      {
        timeoutMs: 10_000,
      },
    );
    const [body, status] = post.stdout.trim().split('\n');
    expect(status, post.stderr).toBe('201');
    const { code } = JSON.parse(body ?? '{}') as { code: string };
    const shared = (await (await fetch(`${E2E.baseUrl}/api/r/${code}`)).json()) as { report: unknown };
    expect(shared.report).toEqual(JSON.parse(r.stdout));
  });

  test('usage errors exit 3, unreachable servers exit 4 (could not test) with a could-not-test record', async ({ server: E2E }) => {
    expect((await callprobe(['run', '--server', E2E.baseUrl, '--profile', 'azure-region'], 10_000)).code).toBe(3);
    expect((await callprobe(['run', '--server', E2E.baseUrl, '--profile', 'fastest'], 10_000)).code).toBe(3);
    expect((await callprobe(['run'], 10_000)).code).toBe(3);
    const down = await callprobe(['run', '--server', 'http://127.0.0.1:9', '--json'], 60_000);
    expect(down.code).toBe(4);
    expect(JSON.parse(down.stdout)).toMatchObject({
      kind: 'could-not-test',
      reason: 'server-unreachable',
      message: expect.any(String),
      atMs: expect.any(Number),
    });
  });

  test('on the portable data path (serve --data-path portable: no addon of ours) a test measures, and /metrics says which path ran', async () => {
    test.setTimeout(60_000);
    const worker = test.info().parallelIndex;
    const metricsPort = workerPort(18770, worker);
    const portable = await serveProcess(
      {
        httpPort: workerPort(18760, worker),
        turnPorts: workerPort(3760, worker),
        // At info, so the RTP leg's closing line says which path its stream took.
        logLevel: 'info',
        extra: ['--data-path', 'portable', '--metrics-listen', `127.0.0.1:${metricsPort}`],
      },
      { deadlineMs: 58_000 },
    );
    try {
      expect(await portable.proc.waitForLine(/^data path: /, { timeoutMs: 1000, what: 'the data path line', stream: 'stderr' })).toMatch(
        /^data path: portable/,
      );
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).toContain('callprobe_data_path{path="portable"} 1\n');
      expect(metrics).toContain('callprobe_data_path{path="native"} 0\n');
      const r = await callprobe(['run', '--server', portable.url, '--json', '--no-save', '--duration', '3'], 50_000);
      const report = JSON.parse(r.stdout) as ReportShape;
      expect(schemaErrors(report)).toEqual([]);
      expect(report).toMatchObject({ meta: { mode: 'reflector' }, probe: { path: 'rtp' }, path: { transport: 'udp', port: workerPort(3760, worker) } });
      // 3 s at 100 probes/s is about 300 echoed; beside the functional project's other tests a busy
      // page sends fewer. Half of them back, with a round trip, is a stream that ran through it.
      expect(report.summary.packetsReceived, JSON.stringify(report.summary)).toBeGreaterThan(150);
      // The round trip as measured: the graded one leaves out what a busy device or server delayed,
      // and beside the functional project's other tests that may be all of it.
      expect(report.directions.roundTrip?.rttMs?.p50 ?? 0, JSON.stringify(report.directions.roundTrip)).toBeGreaterThan(0);
      // The relay on Node's dgram sockets read the page's RTP headers as the native sockets do.
      expect(report.witness?.source).toBe('relay');
      // Node's dgram reads no traffic class and marks none: the QoS marks say so, and nothing else changes.
      expect(report.qos).toMatchObject({
        upstream: { state: 'not-measured', reason: 'server-cannot-read' },
        downstream: { state: 'not-marked', reason: 'server-cannot-mark' },
      });
      expect(r.code).toBe(2);
      // The leg ran the portable path: our SRTP in JavaScript, the short path with the JavaScript probe core, no fast path.
      const closed = JSON.parse(await portable.proc.waitForLine(/"msg":"rtp leg closed"/, { timeoutMs: 10_000, what: "the RTP leg's closing line" })) as object;
      expect(closed).toMatchObject({ srtp: 'ours', rtpPath: 'short', shortCore: 'js', fastTaken: 0 });
    } finally {
      await portable.stop();
    }
  });

  test("against someone else's TURN server (coturn) it loops two peers in the page: loopback mode", async () => {
    const worker = test.info().parallelIndex;
    const port = workerPort(3590, worker);
    const coturn = await startCoturn(port, 'coturn-e2e-secret', { min: workerPort(56000, worker, 125), max: workerPort(56000, worker, 125) + 124 });
    try {
      const cred = coturn.credential();
      const r = await callprobe(
        [
          'run',
          '--turn',
          `turn:127.0.0.1:${port}?transport=udp`,
          '--turn-user',
          cred.username,
          '--turn-credential',
          cred.credential,
          '--duration',
          '3',
          '--json',
        ],
        60_000,
      );
      const report = JSON.parse(r.stdout) as ReportShape;
      expect(schemaErrors(report)).toEqual([]);
      expect(report).toMatchObject({ meta: { mode: 'loopback' }, path: { transport: 'udp', port } });
      expect(report.summary.upstream).toBeNull();
      expect(report.summary.downstream).toBeNull();
      // 3 s at 100 probes/s is about 300 (310 of 310 on a quiet machine); the
      // functional lane runs beside other tests, where a busy page sends and
      // receives fewer (242 seen). The stream flowed through coturn if at least
      // half came back.
      expect(report.summary.packetsReceived, JSON.stringify(report.summary)).toBeGreaterThan(150);
      expect(r.code).toBe(2);
    } finally {
      await coturn.stop();
    }
  });
});
