/**
 * The relay bench's tracked summary: the medians it reports and, per contestant, the range over
 * the rounds and the worst loss (what docs/benchmarks/relay.md's relay tables quote). The per-round
 * rows stay in the raw results (bench/results/raw/).
 */

/** What the summary reads of one round of one contestant. */
interface RelayRoundView {
  contestant: string;
  cpuUsPerPacket: number;
  lostPct: number;
}

/** What the summary reads of the raw results: the other fields are copied as they are. */
export interface RelayRawView {
  runs: readonly RelayRoundView[];
}

export interface RelayContestantSummary {
  contestant: string;
  rounds: number;
  cpuUsPerPacketMin: number;
  cpuUsPerPacketMax: number;
  lostPctMax: number;
}

export function relaySummary<Raw extends RelayRawView>(raw: Raw): Omit<Raw, 'runs'> & { contestants: RelayContestantSummary[] } {
  const { runs, ...rest } = raw;
  const names = [...new Set(runs.map((r) => r.contestant))];
  const contestants = names.map((contestant) => {
    const mine = runs.filter((r) => r.contestant === contestant);
    const cpu = mine.map((r) => r.cpuUsPerPacket);
    return {
      contestant,
      rounds: mine.length,
      cpuUsPerPacketMin: Math.min(...cpu),
      cpuUsPerPacketMax: Math.max(...cpu),
      lostPctMax: Math.max(...mine.map((r) => r.lostPct)),
    };
  });
  return { ...rest, contestants };
}
