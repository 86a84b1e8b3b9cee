/** Assembling and writing the truth file. */
import { writeFile } from 'node:fs/promises';
import { addCounts, emptyCounts } from './recorder.js';
import { summarize } from './stats.js';
import type { FlowTruth, Truth } from './truth-types.js';

const PRNG_DESCRIPTION =
  'sfc32; one stream per mechanism: state = first 16 bytes of SHA-256(`${seed}/L<listener>/F<flow>/<up|down>/<mechanism>`) as 4 LE uint32 (a, b, c, counter), 15 outputs discarded';

export type TruthHeader = Omit<Truth, 'tool' | 'formatVersion' | 'prng' | 'flows' | 'totals' | 'timing'> & {
  wakeEarlyMs: number;
};

/** The whole truth from the finished flows; timingErrorsMs: every copy sent by every flow. */
export function assembleTruth(header: TruthHeader, flows: FlowTruth[], timingErrorsMs: readonly number[]): Truth {
  let up = emptyCounts();
  let down = emptyCounts();
  for (const f of flows) {
    up = addCounts(up, f.up.counts);
    down = addCounts(down, f.down.counts);
  }
  const { wakeEarlyMs, ...rest } = header;
  return {
    tool: 'callprobe-impair',
    formatVersion: 1,
    prng: PRNG_DESCRIPTION,
    ...rest,
    timing: { wakeEarlyMs, errorMs: summarize(timingErrorsMs) },
    flows,
    totals: { up, down },
  };
}

export async function writeTruthFile(path: string, truth: Truth): Promise<void> {
  await writeFile(path, `${JSON.stringify(truth, null, 2)}\n`, 'utf8');
}
