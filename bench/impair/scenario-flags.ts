/**
 * Common scenarios from CLI flags (the JSON scenario file covers everything else).
 * Percentages are in percent (loss 2 = 2 %), times in ms, rates in kbit/s.
 */
import { ImpairConfigError } from './errors.js';
import { parseScenario, type DirectionScenario, type ImpairmentScenario, type ProbeClass, type StartAfter } from './scenario.js';

export interface ImpairmentFlags {
  direction?: string;
  delayMs?: string;
  jitterMs?: string;
  jitterNormalMs?: string;
  allowReorder?: boolean;
  lossPct?: string;
  ge?: string;
  burstEvery?: string;
  reorderPct?: string;
  reorderGapMs?: string;
  reorderGapPackets?: string;
  dupPct?: string;
  dupGapMs?: string;
  rateKbps?: string;
  queueBytes?: string;
  queuePackets?: string;
  startAfterMs?: string;
  startAfterPackets?: string;
  startAfterProbe?: boolean;
  probeSizes?: string;
  learnProbeSize?: string;
}

/** True when any impairment flag was given (they cannot be mixed with --scenario). */
export function hasImpairmentFlags(flags: ImpairmentFlags): boolean {
  return Object.entries(flags).some(([key, value]) => key !== 'direction' && value !== undefined && value !== false);
}

function num(flag: string, text: string | undefined, min = 0, max = Infinity): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new ImpairConfigError('bad-flag', `--${flag} ${text}: expected a number in [${min}, ${max}]`);
  }
  return value;
}

function int(flag: string, text: string | undefined, min = 0): number | undefined {
  const value = num(flag, text, min);
  if (value !== undefined && !Number.isInteger(value)) {
    throw new ImpairConfigError('bad-flag', `--${flag} ${String(text)}: expected an integer`);
  }
  return value;
}

function pct(flag: string, text: string | undefined): number | undefined {
  const value = num(flag, text, 0, 100);
  return value === undefined ? undefined : value / 100;
}

/** "min-max" or "size" in bytes. */
function parseSizeRange(text: string): { minBytes: number; maxBytes: number } {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (!match) throw new ImpairConfigError('bad-flag', `--probe-sizes ${text}: expected bytes as min-max or one size`);
  const minBytes = Number(match[1]);
  const maxBytes = Number(match[2] ?? match[1]);
  if (minBytes < 1 || maxBytes < minBytes) throw new ImpairConfigError('bad-flag', `--probe-sizes ${text}: need 1 <= min <= max`);
  return { minBytes, maxBytes };
}

function directionFromFlags(f: ImpairmentFlags): DirectionScenario {
  const d: DirectionScenario = {};
  const delayMs = num('delay-ms', f.delayMs);
  if (delayMs !== undefined) d.delayMs = delayMs;
  const amplitudeMs = num('jitter-ms', f.jitterMs);
  const sigmaMs = num('jitter-normal-ms', f.jitterNormalMs);
  if (amplitudeMs !== undefined && sigmaMs !== undefined) {
    throw new ImpairConfigError('bad-flag', '--jitter-ms (uniform) and --jitter-normal-ms (normal) exclude each other');
  }
  if (amplitudeMs !== undefined) d.jitter = { kind: 'uniform', amplitudeMs };
  if (sigmaMs !== undefined) d.jitter = { kind: 'normal', sigmaMs };
  if (f.allowReorder) d.jitterMayReorder = true;
  const loss = pct('loss-pct', f.lossPct);
  if (loss !== undefined) d.loss = { probability: loss };
  if (f.ge !== undefined) {
    const parts = f.ge.split(',').map((x) => num('ge', x, 0, 1));
    const [pGoodToBad, pBadToGood, lossInBad, lossInGood] = parts;
    if (parts.length < 2 || parts.length > 4 || pGoodToBad === undefined || pBadToGood === undefined) {
      throw new ImpairConfigError('bad-flag', `--ge ${f.ge}: expected p,r[,lossInBad[,lossInGood]] as probabilities`);
    }
    d.gilbertElliott = { pGoodToBad, pBadToGood };
    if (lossInBad !== undefined) d.gilbertElliott.lossInBad = lossInBad;
    if (lossInGood !== undefined) d.gilbertElliott.lossInGood = lossInGood;
  }
  if (f.burstEvery !== undefined) {
    const match = /^(\d+)\/(\d+)$/.exec(f.burstEvery.trim());
    if (!match) throw new ImpairConfigError('bad-flag', `--burst-every ${f.burstEvery}: expected k/N (k packets every N)`);
    d.bursts = [{ kind: 'every', lengthPackets: Number(match[1]), everyPackets: Number(match[2]) }];
  }
  const reorder = pct('reorder-pct', f.reorderPct);
  if (reorder !== undefined) {
    const gapPackets = int('reorder-gap-packets', f.reorderGapPackets, 1);
    const gapMs = num('reorder-gap-ms', f.reorderGapMs) ?? 10;
    d.reorder = gapPackets !== undefined ? { probability: reorder, gapPackets } : { probability: reorder, gapMs };
  }
  const dup = pct('dup-pct', f.dupPct);
  if (dup !== undefined) {
    d.duplicate = { probability: dup };
    const gapMs = num('dup-gap-ms', f.dupGapMs);
    if (gapMs !== undefined) d.duplicate.gapMs = gapMs;
  }
  const kbps = num('rate-kbps', f.rateKbps);
  if (kbps !== undefined) {
    const queueBytes = int('queue-bytes', f.queueBytes, 1);
    const queuePackets = int('queue-packets', f.queuePackets, 1);
    if ((queueBytes === undefined) === (queuePackets === undefined)) {
      throw new ImpairConfigError('bad-flag', '--rate-kbps needs exactly one of --queue-bytes or --queue-packets');
    }
    const bitsPerSecond = kbps * 1000;
    d.rateLimit = queueBytes !== undefined ? { bitsPerSecond, queueBytes } : { bitsPerSecond, queuePackets: queuePackets ?? 1 };
  }
  return d;
}

function startAfterFromFlags(f: ImpairmentFlags): StartAfter | undefined {
  const ms = num('start-after-ms', f.startAfterMs);
  const packets = int('start-after-packets', f.startAfterPackets);
  const given = [ms !== undefined, packets !== undefined, f.startAfterProbe === true].filter(Boolean).length;
  if (given > 1) throw new ImpairConfigError('bad-flag', 'give only one of --start-after-ms, --start-after-packets, --start-after-probe');
  if (ms !== undefined) return { ms };
  if (packets !== undefined) return { packets };
  if (f.startAfterProbe) return { firstProbe: true };
  return undefined;
}

function probeFromFlags(f: ImpairmentFlags): ProbeClass | undefined {
  if (f.probeSizes !== undefined && f.learnProbeSize !== undefined) {
    throw new ImpairConfigError('bad-flag', '--probe-sizes and --learn-probe-size exclude each other');
  }
  if (f.probeSizes !== undefined) return parseSizeRange(f.probeSizes);
  const learnFromFirst = int('learn-probe-size', f.learnProbeSize, 1);
  return learnFromFirst === undefined ? undefined : { learnFromFirst };
}

/** The scenario the flags describe, validated. `direction`: both (default), up or down. */
export function scenarioFromFlags(f: ImpairmentFlags, name = 'cli flags'): ImpairmentScenario {
  const direction = f.direction ?? 'both';
  if (direction !== 'both' && direction !== 'up' && direction !== 'down') {
    throw new ImpairConfigError('bad-flag', `--direction ${direction}: expected both, up or down`);
  }
  const settings = directionFromFlags(f);
  const scenario: ImpairmentScenario = { name };
  if (direction !== 'down') scenario.up = settings;
  if (direction !== 'up') scenario.down = structuredClone(settings);
  const startAfter = startAfterFromFlags(f);
  if (startAfter) scenario.startAfter = startAfter;
  const probe = probeFromFlags(f);
  if (probe) scenario.probe = probe;
  return parseScenario(scenario, 'flags');
}
