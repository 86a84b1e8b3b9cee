/**
 * Replays every input in fixtures/corpus/ (see its README): the codec outcome, the core's
 * actions and the counters they bump must be the recorded ones, and the stream framer may only
 * refuse with its own error.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  StreamFramer,
  StreamFramingError,
  StunDecodeError,
  channelDataLength,
  channelDataNumber,
  decodeStun,
  isChannelData,
} from '../../../server/turn/codec/index.js';
import { T0, kinds, makeHarness } from './helpers/core-harness.js';

const dir = join(import.meta.dirname, 'fixtures', 'corpus');

interface CorpusCase {
  readonly name: string;
  readonly decode: string;
  readonly core: string;
  readonly counted: string;
  readonly bytes: Buffer;
}

function load(file: string): CorpusCase {
  const text = readFileSync(join(dir, file), 'utf8');
  const field = (key: string): string => {
    const m = new RegExp(`^# ${key}: (.*)$`, 'm').exec(text);
    if (!m?.[1]) throw new Error(`${file}: no "# ${key}:" line`);
    return m[1].trim();
  };
  const hex = text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('')
    .replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(hex)) throw new Error(`${file}: not hex`);
  return { name: file, decode: field('decode'), core: field('core'), counted: field('counted'), bytes: Buffer.from(hex, 'hex') };
}

/** The codec's outcome in the corpus notation. */
function decodeOutcome(buf: Buffer): string {
  if (isChannelData(buf[0])) {
    const len = channelDataLength(buf);
    return len < 0 ? 'bad-channel-data' : `channel=0x${channelDataNumber(buf).toString(16)} length=${len}`;
  }
  try {
    const m = decodeStun(buf);
    const cls = ['request', 'indication', 'success', 'error'][m.cls] ?? '?';
    const attrs = m.attributes.map((a) => `0x${a.type.toString(16).padStart(4, '0')}`).join(',');
    return `ok method=0x${m.method.toString(16).padStart(3, '0')} class=${cls} attributes=${attrs}`;
  } catch (err) {
    if (err instanceof StunDecodeError) return err.reason;
    throw err;
  }
}

const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.hex'))
  .sort()
  .map(load);

describe('decoder corpus (fixtures/corpus)', () => {
  it('holds the hand-made cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(decodeOutcome(c.bytes)).toBe(c.decode);
    const h = makeHarness();
    expect(kinds(h.core.handleClient(h.client(57000), c.bytes, T0)).join(',') || '(none)').toBe(c.core);
    const stats = h.metrics.listener('udp', 3478);
    const counted = (['refusals', 'challenges', 'malformed', 'dropped'] as const).flatMap((k) =>
      [...(stats[k] as ReadonlyMap<string, number>)].map(([reason, n]) => `${k}:${reason}${n === 1 ? '' : ` x${n}`}`),
    );
    expect(counted.join(',') || '(none)').toBe(c.counted);
    try {
      new StreamFramer().push(c.bytes);
    } catch (err) {
      expect(err).toBeInstanceOf(StreamFramingError);
    }
  });
});
