/**
 * The echo test's figures: which of the frames the page sent came back through the relay, and
 * where the audio played back was cut. A frame that never came back is lost; one that came back
 * more than `lateMs` after the fastest round trip of the test is late (a jitter buffer would
 * have played a gap in its place). Runs of lost or late frames become cuts on the test's
 * timeline (ms from the first frame sent), two cuts with less than `mergeGapMs` of sound between
 * them heard as one. Times are the page's clock, ms. Pure.
 */

/** A frame the page stamped and sent, when it passed its sender. */
export interface EchoSent {
  probeSeq: number;
  sendMs: number;
}

/** A frame that came back, when it arrived. */
export interface EchoBack {
  probeSeq: number;
  recvMs: number;
}

interface EchoCut {
  /** Where the cut starts, ms from the first frame sent. */
  atMs: number;
  /** How much audio it cut, ms: from its first frame to the next frame that played. */
  ms: number;
  /** lost: at least one of its frames never came back; late: all came back, too late to play. */
  why: 'lost' | 'late';
}

export interface EchoFigures {
  framesSent: number;
  /** Frames sent that came back, late ones included. */
  framesBack: number;
  lostPct: number;
  latePct: number;
  /** The fastest round trip, ms (null: nothing came back). */
  fastestRttMs: number | null;
  cuts: EchoCut[];
}

export interface EchoCutOptions {
  lateMs: number;
  mergeGapMs: number;
}

type Fate = 'played' | 'lost' | 'late';

/** The figures of one echo test from what was sent and what came back (any order; a duplicate's first arrival counts). */
export function echoFigures(sent: readonly EchoSent[], back: readonly EchoBack[], o: EchoCutOptions): EchoFigures {
  const frames = [...sent].sort((a, b) => a.sendMs - b.sendMs);
  const firstBack = new Map<number, number>();
  for (const b of back) {
    const had = firstBack.get(b.probeSeq);
    if (had === undefined || b.recvMs < had) firstBack.set(b.probeSeq, b.recvMs);
  }
  let fastest = Infinity;
  for (const f of frames) {
    const r = firstBack.get(f.probeSeq);
    if (r !== undefined) fastest = Math.min(fastest, r - f.sendMs);
  }
  const fates: Fate[] = frames.map((f) => {
    const r = firstBack.get(f.probeSeq);
    if (r === undefined) return 'lost';
    return r - f.sendMs - fastest > o.lateMs ? 'late' : 'played';
  });
  const n = frames.length;
  const lost = fates.filter((f) => f === 'lost').length;
  const late = fates.filter((f) => f === 'late').length;
  return {
    framesSent: n,
    framesBack: n - lost,
    lostPct: n === 0 ? 0 : (lost / n) * 100,
    latePct: n === 0 ? 0 : (late / n) * 100,
    fastestRttMs: Number.isFinite(fastest) ? fastest : null,
    cuts: n === 0 ? [] : mergeCuts(runs(frames, fates), o.mergeGapMs),
  };
}

/** Each run of frames that did not play, from its first frame to the next that played (or one frame interval past the last). */
function runs(frames: readonly EchoSent[], fates: readonly Fate[]): EchoCut[] {
  const t0 = (frames[0] as EchoSent).sendMs;
  const cuts: EchoCut[] = [];
  let start = -1;
  let anyLost = false;
  const close = (end: number): void => {
    const from = (frames[start] as EchoSent).sendMs;
    cuts.push({ atMs: from - t0, ms: end - from, why: anyLost ? 'lost' : 'late' });
    start = -1;
    anyLost = false;
  };
  for (let i = 0; i < frames.length; i++) {
    const fate = fates[i] as Fate;
    if (fate === 'played') {
      if (start >= 0) close((frames[i] as EchoSent).sendMs);
      continue;
    }
    if (start < 0) start = i;
    if (fate === 'lost') anyLost = true;
  }
  if (start >= 0) close((frames[frames.length - 1] as EchoSent).sendMs + frameInterval(frames));
  return cuts;
}

/** The median interval between frames sent (0 with one frame). */
function frameInterval(frames: readonly EchoSent[]): number {
  const gaps = frames.slice(1).map((f, i) => f.sendMs - (frames[i] as EchoSent).sendMs);
  if (gaps.length === 0) return 0;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor((gaps.length - 1) / 2)] as number;
}

/** Cuts with less than `gapMs` of sound between them become one, lost when either was. */
function mergeCuts(cuts: readonly EchoCut[], gapMs: number): EchoCut[] {
  const out: EchoCut[] = [];
  for (const c of cuts) {
    const prev = out[out.length - 1];
    if (prev !== undefined && c.atMs - (prev.atMs + prev.ms) < gapMs) {
      prev.ms = c.atMs + c.ms - prev.atMs;
      if (c.why === 'lost') prev.why = 'lost';
    } else out.push({ ...c });
  }
  return out;
}
