/**
 * The provisional answer in words: for everyone first (what is settled, what is likely, what
 * is not known yet), the numbers in an expert layer, one line for the CLI, and the short
 * evidence each claim keeps in the report. Only words: the claims are decided in
 * src/analysis/grade/provisional.ts. Numbers go through format.ts.
 */
import type { BurstClaim, Claim, JitterClaim, LossClaim, ProvisionalFacts, RoundTripClaim } from '../schema/provisional-facts.js';
import type { DirectionName } from '../schema/report-schema.js';
import { count, fixed, ms, num, pct, seconds } from './format.js';

/** What "provisional" means, in one place for the page, the CLI and the docs' wording. */
export const PROVISIONAL_MEANING =
  'Provisional means: what the probes so far say. A settled fail cannot change. A likely result is 95% sure for the probes so far. A pass counts only once the whole 15-second window is measured.';

/** Always true while the test runs: the targets are about the worst 15 s, which no shorter sample shows. */
const NOT_YET_KNOWN = 'Not yet known: the worst 15-second window. A pass counts only once the whole window is measured.';

/** How long after the probes start the first provisional answer comes (src/session/collect/live.ts keeps to it). */
export const FIRST_ANSWER_S = 3;

/** While the page connects to the test server, before any probe is sent. */
export const CONNECTING = `Connecting to the test server. A first answer comes ${String(FIRST_ANSWER_S)} seconds after the measuring starts.`;

/** While the probes run, before the first provisional answer. */
export const BEFORE_FIRST = `Measuring your connection. A first answer comes ${String(FIRST_ANSWER_S)} seconds after the measuring started.`;

/** The interactive page completes the window after a settled fail, like headless runs. */
const GOES_ON = 'This will not change. The test goes on to the end to measure everything else.';

/** A round trip this near its target (a quarter of it either side) is "close"; farther, an undecided interval is the spread's doing. */
const CLOSE_FRACTION = 0.25;

type ProvisionalTone = 'bad' | 'good' | 'unsure';
export type ItemState = 'settled' | 'likely' | 'so-far';

interface ProvisionalItem {
  state: ItemState;
  /** For everyone. */
  text: string;
  /** The numbers behind it (expert layer); empty when there are none. */
  expert: string;
}

export interface ProvisionalContext {
  /** The relay path connected through (settled). */
  path: { transport: 'udp' | 'tcp' | 'tls' | 'unknown'; port: number | null };
  /** A direction whose figures are held because nothing arrived lately. */
  quiet: readonly DirectionName[];
  /** The headline of the first settled fail shown: it stays the headline for the rest of the test, later findings below it. */
  pinned?: { tone: ProvisionalTone; headline: string } | null;
}

export interface ProvisionalView {
  /** Seconds since the probes started. */
  atS: number;
  tone: ProvisionalTone;
  headline: string;
  /** Settled first, then likely, then so-far figures. */
  items: ProvisionalItem[];
  notYetKnown: string;
  /** Set when the figures stopped moving because the path went quiet. */
  held: string | null;
}

const WHO: Record<DirectionName, string> = { up: 'you to the relay', down: 'the relay to you', loop: 'through the relay and back' };

const at = (fromMs: number): string => seconds(Math.max(0, fromMs));

function burstWords(c: BurstClaim): string {
  const w = c.window;
  if (w === null) return 'no 200 ms window has ended yet';
  if (w.lost === 0) return `none of ${count(w.packets)} probes lost`;
  return `${count(w.lost)} of ${count(w.packets)} probes (${pct(w.pct, c.thresholdPct)}) lost in 200 ms at ${at(w.fromMs)}`;
}

function lossWords(c: LossClaim): string {
  return c.lost === 0 ? `none of ${count(c.judged)} probes lost` : `${count(c.lost)} of ${count(c.judged)} probes lost`;
}

/** The short evidence of a claim, as the report keeps it (cut to CLAIM_EVIDENCE_MAX_CHARS there). */
export function claimEvidence(c: Claim): string {
  switch (c.metric) {
    case 'latency-rtt': {
      const r = c.rtt;
      if (r.p50Ms === null) return 'no round trip judged yet';
      const ci =
        r.lowerMs === null || r.upperMs === null
          ? `${count(r.blocks)} whole seconds, too few for 95% bounds`
          : `one-sided 95% bounds ${fixed(r.lowerMs, 2)}-${fixed(r.upperMs, 2)} ms over ${count(r.blocks)} one-second blocks`;
      return `p50 ${ms(r.p50Ms, c.thresholdMs)} of ${count(r.samples)} round trips, ${ci}; target < ${ms(c.thresholdMs)}`;
    }
    case 'loss-15s': {
      if (c.settled !== null) {
        return `${count(c.settled.missing)} never arrived in the first 15 s window (at most ${count(c.settled.maxPackets)} probes): at least ${pct((100 * c.settled.missing) / c.settled.maxPackets, c.thresholdPct)}; limit < ${pct(c.thresholdPct)}`;
      }
      if (c.upperPct === null || c.lowerPct === null) return 'no probe judged yet';
      return `${count(c.lost)} of ${count(c.judged)} lost; one-sided 95% bounds ${pct(c.lowerPct)}-${pct(c.upperPct, c.thresholdPct)}; limit < ${pct(c.thresholdPct)}`;
    }
    case 'burst-loss-200ms':
      return `${burstWords(c)}; limit < ${pct(c.thresholdPct)}`;
    case 'jitter-15s':
      return c.meanMs === null ? 'no arrival yet' : `mean RFC 3550 jitter ${ms(c.meanMs)} over ${count(c.samples)} arrivals`;
  }
}

function pathItem(p: ProvisionalContext['path']): ProvisionalItem {
  const port = p.port === null ? '' : ` ${String(p.port)}`;
  if (p.transport === 'udp')
    return { state: 'settled', text: `Connected through the relay the way calls prefer${p.port === null ? '' : ` (port${port})`}.`, expert: '' };
  if (p.transport === 'unknown') return { state: 'settled', text: 'Connected through the relay.', expert: '' };
  return {
    state: 'settled',
    text: `Connected through the relay only over a fallback path (${p.transport.toUpperCase()}${port}, not UDP), where calls lag when the network is busy.`,
    expert: '',
  };
}

/**
 * Why a target has no likely claim yet, by its real reason, most basic first: nothing judged yet,
 * this device or the test server busy right now, not enough whole seconds measured yet, too few
 * probes for a 95 % statement on loss, a round trip still changing, one truly near its target,
 * round trips too spread out to tell, probes lost (no early pass then), or a path that makes no
 * likely claims at all. The round trip's reason is the claim's own (`undecided`, grade/
 * provisional.ts), with "close" said only of a figure near its target.
 */
type Undecided = 'none' | 'busy' | 'seconds' | 'few' | 'changing' | 'close' | 'spread' | 'lost' | 'failed' | 'path';
const UNDECIDED_RANK: readonly Undecided[] = ['none', 'busy', 'seconds', 'few', 'changing', 'close', 'spread', 'lost', 'failed', 'path'];

function rttUndecided(c: RoundTripClaim): Undecided | null {
  if (c.kind !== 'so-far') return null;
  const r = c.rtt;
  if (r.p50Ms === null) return 'none';
  switch (c.undecided) {
    case 'not-on-this-path':
      return 'path';
    case 'device-or-server-busy':
      return 'busy';
    case 'changing':
      return 'changing';
    case 'close':
      // The bounds straddle the target: "close" only when the median is near it, else the spread is why.
      return Math.abs(r.p50Ms - c.thresholdMs) <= CLOSE_FRACTION * c.thresholdMs ? 'close' : 'spread';
    default:
      return 'seconds';
  }
}

function lossUndecided(c: LossClaim, anyLost: boolean): Undecided | null {
  if (c.kind !== 'so-far') return null;
  switch (c.undecided) {
    case 'none-judged':
      return 'none';
    case 'not-on-this-path':
    case 'not-gradable':
      return 'path';
    case 'device-or-server-busy':
      return 'busy';
    case 'too-few-probes':
      return 'few';
    case 'fail-or-loss-so-far':
      return anyLost ? 'lost' : 'failed';
    default:
      return c.judged === 0 ? 'none' : 'seconds';
  }
}

/** The tail of a so-far item, by why it is undecided. */
function undecidedWords(u: Undecided, limit: string): string {
  switch (u) {
    case 'none':
      return 'nothing judged yet';
    case 'busy':
      return "this device or the test server is busy right now, so this figure may not be the network's";
    case 'seconds':
      return 'not enough seconds measured yet to be 95% sure';
    case 'few':
      return `too few probes yet to tell against the ${limit} limit at 95%`;
    case 'changing':
      return 'it is still changing, so it is too early to tell';
    case 'close':
      return `too close to the ${limit} target to tell yet`;
    case 'spread':
      return `the round trips so far vary too much to tell against the ${limit} target yet`;
    case 'lost':
      return 'with probes lost so far, only the full test can give a pass';
    case 'failed':
      return 'beside a fail so far, only the full test can give a pass';
    case 'path':
      return 'on this path only the full test can tell';
  }
}

/** The headline while nothing is likely yet, by the most basic reason any target has. */
const UNDECIDED_HEADLINE: Readonly<Record<Undecided, string>> = {
  none: 'Too early to tell: no echo has come back to judge yet.',
  busy: "Too early to tell: this device or the test server is busy right now, so the figures so far may not be the network's.",
  seconds: 'Too early to tell: not enough seconds measured yet to be 95% sure.',
  few: 'Too early to tell: too few echoes so far to be 95% sure.',
  changing: 'Too early to tell: the round trip is still changing.',
  close: 'Too close to tell yet: the round trip is near its target.',
  spread: 'Too early to tell: the round trips so far vary too much.',
  lost: 'No early answer: some probes were lost, so only the full test can tell.',
  failed: 'No early pass: something failed so far, so only the full test can tell.',
  path: 'No early answer on this path: a fail can show before the end, a pass only at the end.',
};

function rttItem(c: RoundTripClaim): ProvisionalItem {
  const r = c.rtt;
  const expert = claimEvidence(c);
  if (r.p50Ms === null) return { state: 'so-far', text: 'Round trip: no echo judged yet.', expert };
  const so = `Round trip so far: ${ms(r.p50Ms, c.thresholdMs)}`;
  const target = ms(c.thresholdMs);
  if (c.kind === 'likely-pass') return { state: 'likely', text: `${so}, under the ${target} target (95% sure).`, expert };
  if (c.kind === 'likely-fail') return { state: 'likely', text: `${so}, over the ${target} target (95% sure).`, expert };
  const why = rttUndecided(c) ?? 'seconds';
  if (why === 'close' || why === 'spread' || why === 'busy' || why === 'changing')
    return { state: 'so-far', text: `${so}; ${undecidedWords(why, target)}.`, expert };
  const side = r.p50Ms < c.thresholdMs ? 'under' : 'over';
  return { state: 'so-far', text: `${so}, ${side} the ${target} target so far; ${undecidedWords(why, target)}.`, expert };
}

function lossItem(c: LossClaim, name: DirectionName, anyLost: boolean): ProvisionalItem {
  const expert = claimEvidence(c);
  const who = WHO[name];
  const limit = pct(c.thresholdPct);
  switch (c.kind) {
    case 'settled-fail':
      return {
        state: 'settled',
        text: `Loss, ${who}: ${count(c.settled?.missing ?? c.lost)} probes lost already, more than any 15-second window allows (under ${limit}).`,
        expert,
      };
    case 'likely-fail':
      return { state: 'likely', text: `Loss, ${who}: above ${limit} so far, 95% sure (${lossWords(c)}).`, expert };
    case 'likely-pass':
      return { state: 'likely', text: `Loss, ${who}: under ${limit} with 95% confidence for these ${seconds(c.spanMs)} (${lossWords(c)}).`, expert };
    default: {
      const why = lossUndecided(c, anyLost) ?? 'seconds';
      if (why === 'none') return { state: 'so-far', text: `Loss, ${who}: no probe old enough to judge yet.`, expert };
      // A side only where the bounds lie wholly on it: "none lost, near the limit" would say what the figures do not.
      const side = c.upperPct !== null && c.upperPct < c.thresholdPct ? 'under' : c.lowerPct !== null && c.lowerPct > c.thresholdPct ? 'above' : null;
      if (why === 'few' || side === null) return { state: 'so-far', text: `Loss so far, ${who}: ${lossWords(c)}; ${undecidedWords(why, limit)}.`, expert };
      return { state: 'so-far', text: `Loss so far, ${who}: ${lossWords(c)}, ${side} the ${limit} limit; ${undecidedWords(why, limit)}.`, expert };
    }
  }
}

function burstItem(c: BurstClaim, name: DirectionName): ProvisionalItem {
  const expert = claimEvidence(c);
  if (c.kind === 'settled-fail')
    return { state: 'settled', text: `Lost in a burst, ${WHO[name]}: ${burstWords(c)} (the limit is under ${pct(c.thresholdPct)}).`, expert };
  return { state: 'so-far', text: `Worst 200 ms so far, ${WHO[name]}: ${burstWords(c)} (the limit is under ${pct(c.thresholdPct)}).`, expert };
}

function jitterItem(claims: readonly JitterClaim[]): ProvisionalItem | null {
  const known = claims.filter((c) => c.meanMs !== null);
  if (known.length === 0) return null;
  return {
    state: 'so-far',
    text: `Jitter so far: ${known.map((c) => `${ms(c.meanMs ?? 0)} ${WHO[c.direction]}`).join(', ')}.`,
    expert: known.map((c) => `${WHO[c.direction]}: ${claimEvidence(c)}`).join('; '),
  };
}

function headline(claims: readonly Claim[]): { tone: ProvisionalTone; text: string } {
  const burst = claims.find((c): c is BurstClaim => c.kind === 'settled-fail' && c.metric === 'burst-loss-200ms');
  if (burst !== undefined) return { tone: 'bad', text: `Calls will break up here: ${burstWords(burst)}, ${WHO[burst.direction]}. ${GOES_ON}` };
  const loss = claims.find((c): c is LossClaim => c.kind === 'settled-fail' && c.metric === 'loss-15s');
  if (loss !== undefined) {
    return {
      tone: 'bad',
      text: `Calls will break up here: ${count(loss.settled?.missing ?? loss.lost)} probes lost ${WHO[loss.direction]} already, more than a 15-second window allows. ${GOES_ON}`,
    };
  }
  const likelyFail = claims.find((c) => c.kind === 'likely-fail');
  if (likelyFail !== undefined) {
    const what =
      likelyFail.metric === 'latency-rtt' ? 'the round trip is over its target' : `loss ${WHO[likelyFail.direction as DirectionName]} is above its limit`;
    return { tone: 'bad', text: `Likely a fail so far: ${what} (95% sure). The test goes on to the end.` };
  }
  const needPass = claims.filter((c) => c.metric === 'latency-rtt' || c.metric === 'loss-15s');
  if (needPass.length > 0 && needPass.every((c) => c.kind === 'likely-pass')) {
    return { tone: 'good', text: 'Good so far: little loss and a short round trip. Only the full 15 seconds can give a pass.' };
  }
  const anyLost = claims.some((c) => c.metric === 'loss-15s' && c.lost > 0);
  const reasons = needPass.flatMap((c) => (c.metric === 'latency-rtt' ? [rttUndecided(c)] : c.metric === 'loss-15s' ? [lossUndecided(c, anyLost)] : []));
  const first = UNDECIDED_RANK.find((u) => reasons.includes(u)) ?? 'seconds';
  return { tone: 'unsure', text: UNDECIDED_HEADLINE[first] };
}

const RANK: Record<ItemState, number> = { settled: 0, likely: 1, 'so-far': 2 };

/** The provisional answer as the page shows it. */
export function provisionalView(f: ProvisionalFacts, ctx: ProvisionalContext): ProvisionalView {
  const anyLost = f.claims.some((c) => c.metric === 'loss-15s' && c.lost > 0);
  const items: ProvisionalItem[] = [pathItem(ctx.path)];
  for (const c of f.claims) {
    if (c.metric === 'latency-rtt') items.push(rttItem(c));
    else if (c.metric === 'loss-15s') items.push(lossItem(c, c.direction, anyLost));
    else if (c.metric === 'burst-loss-200ms') items.push(burstItem(c, c.direction));
  }
  const jitter = jitterItem(f.claims.filter((c): c is JitterClaim => c.metric === 'jitter-15s'));
  if (jitter !== null) items.push(jitter);
  // Once a fail has settled, its headline stays: what follows is added below it, never put in its place.
  const h = ctx.pinned ? { tone: ctx.pinned.tone, text: ctx.pinned.headline } : headline(f.claims);
  return {
    atS: f.atMs / 1000,
    tone: h.tone,
    headline: h.text,
    items: items
      .map((it, i) => ({ it, i }))
      .sort((a, b) => RANK[a.it.state] - RANK[b.it.state] || a.i - b.i)
      .map((x) => x.it),
    notYetKnown: NOT_YET_KNOWN,
    held:
      ctx.quiet.length === 0
        ? null
        : `Nothing has come back ${ctx.quiet.map((d) => WHO[d]).join(' or ')} lately: these figures are held where they were, and probes not answered are not counted as lost.`,
  };
}

/**
 * When the answer on screen was read, for its label: "3 s of 15 s measured", never more than the
 * test's length; once the probes have stopped, "finishing".
 */
export function provisionalWhen(atS: number, durationS: number, finishing: boolean): string {
  if (finishing) return `Provisional answer, from ${num(Math.min(atS, durationS))} s of ${num(durationS)} s: finishing the test`;
  return `Provisional answer, ${num(Math.min(atS, durationS))} s of ${num(durationS)} s measured`;
}

/** A provisional answer in one line of plain text. */
export function provisionalLine(v: ProvisionalView): string {
  const parts = v.items.map((it) => it.text.replace(/\.$/, ''));
  return `provisional at ${num(v.atS)} s: ${v.headline} ${parts.join('; ')}. ${v.notYetKnown}${v.held === null ? '' : ` ${v.held}`}`;
}

/** What the CLI prints on stderr for a provisional answer: the first time, what "provisional" means first. */
export function provisionalProgress(v: ProvisionalView, first: boolean): string[] {
  return [...(first ? [PROVISIONAL_MEANING] : []), provisionalLine(v)];
}
