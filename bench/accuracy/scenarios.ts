/**
 * Accuracy scenarios as data: what the impairment proxy does to each direction between the
 * browser and the relay (and between irtt's client and server). "up" is client -> relay.
 * The harness adds the seed, the probe size class and when impairment starts.
 */
import type { DirectionScenario } from '../impair/scenario.js';

export interface AccuracyScenario {
  name: string;
  description: string;
  up?: DirectionScenario;
  down?: DirectionScenario;
  /** Part of the fast subset that CI runs with firm tolerances. */
  ci?: boolean;
}

/** The combined scenario's impairment, the same each way. */
const COMBINED: DirectionScenario = {
  delayMs: 22,
  jitter: { kind: 'normal', sigmaMs: 4 },
  loss: { probability: 0.005 },
  gilbertElliott: { pGoodToBad: 0.001, pBadToGood: 0.333 },
  reorder: { probability: 0.005, gapMs: 10 },
};

export const SCENARIOS: readonly AccuracyScenario[] = [
  { name: 'clean', description: 'No impairment: the base path (relay, reflector, DTLS/SCTP, browser).' },
  { name: 'delay', description: 'Fixed delay, 20 ms up and 30 ms down.', up: { delayMs: 20 }, down: { delayMs: 30 } },
  {
    name: 'jitter-uniform',
    description: '25 ms +-10 ms uniform each way; jitter never reorders.',
    up: { delayMs: 25, jitter: { kind: 'uniform', amplitudeMs: 10 } },
    down: { delayMs: 25, jitter: { kind: 'uniform', amplitudeMs: 10 } },
    ci: true,
  },
  {
    name: 'jitter-normal',
    description: '30 ms with normal jitter sigma 6 ms each way; jitter never reorders.',
    up: { delayMs: 30, jitter: { kind: 'normal', sigmaMs: 6 } },
    down: { delayMs: 30, jitter: { kind: 'normal', sigmaMs: 6 } },
  },
  { name: 'loss-up', description: '3 % random loss upstream only.', up: { loss: { probability: 0.03 } } },
  { name: 'loss-down', description: '3 % random loss downstream only.', down: { loss: { probability: 0.03 } } },
  {
    name: 'loss-both',
    description: '1.5 % random loss each way, 10 ms each way.',
    up: { delayMs: 10, loss: { probability: 0.015 } },
    down: { delayMs: 10, loss: { probability: 0.015 } },
    ci: true,
  },
  {
    name: 'bursts',
    description: 'Downstream: bursts of 6 consecutive packets every 400; upstream: Gilbert-Elliott (mean burst 3).',
    up: { delayMs: 5, gilbertElliott: { pGoodToBad: 0.004, pBadToGood: 0.333 } },
    down: { delayMs: 5, bursts: [{ kind: 'every', lengthPackets: 6, everyPackets: 400, offsetPackets: 150 }] },
    ci: true,
  },
  {
    name: 'reorder',
    description: '2 % of packets held back 25 ms each way (later packets overtake them), 5 ms base delay.',
    up: { delayMs: 5, reorder: { probability: 0.02, gapMs: 25 } },
    down: { delayMs: 5, reorder: { probability: 0.02, gapMs: 25 } },
    ci: true,
  },
  {
    name: 'duplicates',
    description: '3 % of packets duplicated each way (1 ms later).',
    up: { duplicate: { probability: 0.03 } },
    down: { duplicate: { probability: 0.03 } },
  },
  {
    name: 'loss-100ms',
    description:
      '100 ms each way and 2 % loss each way (a long path with loss). On the data channel SCTP congestion control shrinks its window and starts to queue; RTP has no such window.',
    up: { delayMs: 100, loss: { probability: 0.02 } },
    down: { delayMs: 100, loss: { probability: 0.02 } },
  },
  {
    name: 'combined',
    description: '22 ms with normal jitter sigma 4, 0.5 % loss plus Gilbert-Elliott bursts, 0.5 % held back 10 ms, each way.',
    up: COMBINED,
    down: COMBINED,
  },
  {
    name: 'congested',
    description: 'Upstream bottleneck of 200 kbit/s (IP+UDP overhead counted) with a 15-packet tail-drop queue: queueing delay, then drops.',
    up: { delayMs: 10, rateLimit: { bitsPerSecond: 200_000, queuePackets: 15, overheadBytes: 28 } },
    down: { delayMs: 10 },
  },
  // Where the RTP path and the data-channel path part ways. The proxy impairs each flow
  // on its own, so on the RTP path the bottleneck holds the RTP leg's flow (one 187-byte SRTP
  // datagram per 10 ms = 172 kbit/s with IP/UDP headers, plus RTCP); no data-channel leg runs
  // beside it. With --no-rtp the data-channel flow carries 100
  // probes/s of 245 bytes (220 kbit/s with headers) through the same bottleneck.
  {
    name: 'bottleneck-queue',
    description:
      'Upstream bottleneck of 190 kbit/s (IP+UDP overhead counted) with a 100 ms drop-tail queue (2375 bytes), 10 ms each way: a little above the RTP stream, so RTP probes only wait in the queue now and then; the data-channel path offers more than the link carries and meets its own congestion control.',
    up: { delayMs: 10, rateLimit: { bitsPerSecond: 190_000, queueBytes: 2375, overheadBytes: 28 } },
    down: { delayMs: 10 },
  },
  {
    name: 'bottleneck-loss',
    description: 'The same 190 kbit/s upstream bottleneck and 100 ms drop-tail queue, plus 2 % random loss upstream before it, 10 ms each way.',
    up: { delayMs: 10, loss: { probability: 0.02 }, rateLimit: { bitsPerSecond: 190_000, queueBytes: 2375, overheadBytes: 28 } },
    down: { delayMs: 10 },
  },
  {
    name: 'reorder-deep',
    description:
      '5 % of packets held back 30 ms upstream and 60 ms downstream (3-6 later probes overtake each), 5 ms base delay: deeper than the data channel waits before it gives a chunk up.',
    up: { delayMs: 5, reorder: { probability: 0.05, gapMs: 30 } },
    down: { delayMs: 5, reorder: { probability: 0.05, gapMs: 60 } },
  },
];
