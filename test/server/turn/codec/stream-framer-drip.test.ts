/**
 * A TCP frame dripped one byte at a time must cost linear, not quadratic,
 * CPU. One 64 KiB ChannelData frame (4 + 65,532 bytes) pushed byte by byte into the framer
 * must take under 120 ms of CPU (user + system of this process, measured with cpuUsage; 36-50 ms
 * measured after the fix on the shared 2-core machine).
 *
 * Failed on the starting code (c0b4902): every byte re-copied everything pending
 * (Buffer.concat): 352 ms measured here.
 */
import { describe, expect, it } from 'vitest';
import { StreamFramer } from '../../../../server/turn/codec/stream-framer.js';
import { buildChannelData } from '../../../../server/turn/client/requests.js';

const BUDGET_MS = 120;

describe('StreamFramer under a byte drip (finding 8)', () => {
  it(`reassembles a 64 KiB frame fed one byte at a time in under ${BUDGET_MS} ms of CPU`, () => {
    const frame = buildChannelData(0x4001, Buffer.alloc(65_532, 7), true);
    expect(frame.length).toBe(65_536);
    const bytes = Array.from(frame, (b) => Buffer.from([b]));
    const framer = new StreamFramer();
    const out: Buffer[] = [];
    const t0 = process.cpuUsage();
    for (const b of bytes) out.push(...framer.push(b));
    const d = process.cpuUsage(t0);
    const cpuMs = (d.user + d.system) / 1000;
    console.log(`finding 8: 64 KiB dripped byte by byte: ${cpuMs.toFixed(1)} ms CPU`);
    expect(out).toHaveLength(1);
    expect(out[0]?.equals(frame)).toBe(true);
    expect(framer.bufferedBytes).toBe(0);
    expect(cpuMs).toBeLessThan(BUDGET_MS);
  });
});
