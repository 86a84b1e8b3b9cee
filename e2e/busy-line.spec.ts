import { expect, test } from '@playwright/test';
import { pairedAgrees, runTestbed } from '../bench/load-latency/testbed.js';
import { needCommand, needRoot, skipReason } from '../test/kit/requires.js';

/**
 * The busy-line phase through a real bottleneck queue: namespaces the test makes, a client and a
 * server with a router between them whose egress toward each side holds tc-tbf (the line's
 * modem; bench/lib/bottleneck.ts), `callprobe serve` on one side, `callprobe run --load`
 * (headless Chromium) on the other, and irtt through the same queue as the reference.
 */
// Measurements against irtt on a real queue: the measurement project. The three on a 2 Mbit/s
// line are also @pair (two at a time, after the rest): their figures are a queue's hundreds of ms
// read against irtt on the same queue, and the line moves 2 Mbit/s, so one test beside them moves
// neither. The line too fast for the budget runs alone: it loads the machine as fast as it can.
test.describe('a busy line through a real queue (tbf in a router between two namespaces)', { tag: '@measure' }, () => {
  // Skipped on a machine without them, failed in CI (test/kit/requires.ts).
  const why = skipReason('busy line through a real queue', [needRoot(), needCommand('iproute2', 'tc', ['-V']), needCommand('irtt', 'irtt', ['version'])]);
  test.skip(why !== null, `needs root, tc and irtt: ${why ?? ''}`);
  test.describe.configure({ timeout: 110_000 });

  test("a bloated uplink: suffers, upstream, with irtt's added delay on the same queue", { tag: '@pair' }, async () => {
    const r = await runTestbed({
      tag: 'bloat',
      spec: { up: { rateKbit: 2000, limitBytes: 250_000 }, down: { rateKbit: 20_000, limitBytes: 30_000 } },
      durationS: 4,
      httpPort: 18491,
    });
    const l = r.report.load;
    expect(l?.verdict?.kind, JSON.stringify(l)).toBe('suffers');
    expect(l?.verdict?.directions[0]).toBe('up');
    expect(l?.verdict?.text, JSON.stringify(l)).toMatch(/^Calls will suffer when the line is busy: uploads add \d+ ms/);
    // Probe for probe against irtt on the same queue: the added delay within 3 % or 5 ms of irtt's
    // read at the moments of callprobe's own probes, and each reading within the same of irtt's
    // at that moment. (Two medians over the window differ when the queue swings in it and the
    // tools keep different probes: 339 against 462 ms once, with the pairs 0.7 ms apart.)
    const ours = l?.up?.addedDelayMs ?? null;
    const figures = { callprobe: { ...l?.up, flows: undefined }, irtt: r.irtt, paired: r.paired, queue: r.queue.up };
    expect(r.paired.up?.pairs ?? 0, JSON.stringify(figures)).toBeGreaterThanOrEqual(100);
    expect(pairedAgrees(ours, r.paired.up), JSON.stringify(figures)).toBe(true);
    expect(l?.durationMs).toBeLessThanOrEqual(25_000);
    expect(l?.bytes).toBeGreaterThan(0);
    // The phase never changes the idle verdict (nor run's exit code, which the testbed checks is 0-2).
    expect(r.report.summary.verdict, JSON.stringify(r.report.summary)).not.toBe('fail');
  });

  test("a bloated uplink beside a server whose loop runs 40 ms late: the hiccup excuses only its size, the queue is the line's", { tag: '@pair' }, async () => {
    // The test hook: serve's data plane stopped 40 ms in every 200 ms, so its event loop runs that late (a stop of 25 ms
    // was read as 18.6 ms late once: under the old rule's 20 ms, so proving nothing).
    const r = await runTestbed({
      tag: 'late',
      spec: { up: { rateKbit: 2000, limitBytes: 250_000 }, down: { rateKbit: 20_000, limitBytes: 30_000 } },
      durationS: 4,
      httpPort: 18494,
      serverLate: { everyMs: 200, forMs: 40 },
    });
    const l = r.report.load;
    const up = l?.up;
    // The queue added hundreds of ms; a server 40 ms late excuses at most 2 x its lateness + 10 ms of it.
    expect(up?.addedDelayMs ?? 0, JSON.stringify(l)).toBeGreaterThan(300);
    expect(up?.attribution?.who, JSON.stringify(up?.attribution)).toBe('network');
    expect(l?.verdict?.kind, JSON.stringify(l?.verdict)).toBe('suffers');
    expect(l?.verdict?.text).toMatch(/^Calls will suffer when the line is busy: uploads add \d+ ms/);
    // The hook made the server 20 ms late or more in the window: what that excused is said, and it is small.
    const serverMs = up?.attribution?.serverMs ?? 0;
    expect(serverMs, JSON.stringify(up?.attribution)).toBeGreaterThanOrEqual(20);
    expect(up?.attribution?.excused).toEqual({ by: 'server', ms: 2 * serverMs + 10 });
    expect(2 * serverMs + 10).toBeLessThan((up?.addedDelayMs ?? 0) / 2);
  });

  test('shallow queues: under 40 ms added each way, and any harm is loss, never delay', { tag: '@pair' }, async () => {
    const r = await runTestbed({
      tag: 'shallow',
      spec: { up: { rateKbit: 2000, limitBytes: 3000 }, down: { rateKbit: 2000, limitBytes: 3000 } },
      durationS: 4,
      httpPort: 18492,
    });
    const l = r.report.load;
    expect(l?.up?.addedDelayMs ?? Number.NaN, JSON.stringify(l)).toBeLessThan(40);
    expect(l?.down?.addedDelayMs ?? Number.NaN).toBeLessThan(40);
    expect(l?.verdict?.text ?? '').not.toMatch(/\badd \d/);
    if (l?.verdict?.kind === 'suffers') expect(l.verdict.text).toMatch(/loss/);
  });

  test('a line too fast for the budget says it was not filled, never "no effect"', async () => {
    const r = await runTestbed({ tag: 'fast', spec: { up: null, down: null }, durationS: 4, httpPort: 18493, serveArgs: ['--load-max-bytes', '5000000'] });
    const l = r.report.load;
    expect(l?.up?.saturated === false || l?.down?.saturated === false, JSON.stringify(l)).toBe(true);
    expect(l?.verdict?.kind).toBe('could-not-load');
    expect(l?.verdict?.text).toMatch(/^Could not load the line: .*not a pass\.$/);
    expect(l?.budgetBytesPerDirection).toBe(5_000_000);
    expect(l?.bytes).toBeLessThanOrEqual(10_000_000);
  });
});
