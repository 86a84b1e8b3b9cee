/**
 * The provisional answer in words: for everyone first (what is settled, what is likely, what
 * is not known yet), the numbers in an expert layer, one line for the CLI, and the short
 * evidence each claim keeps in the report. Only words: the claims are decided in
 * src/analysis/grade/provisional.ts. Numbers go through format.ts.
 */
import type { BurstClaim, Claim, JitterClaim, LossClaim, ProvisionalFacts, RoundTripClaim } from '../schema/provisional-facts.js';
import type { DirectionName } from '../schema/report-schema.js';
import { count, fixed, ms, num, pct } from './format.js';
import { EN, type Messages } from './catalogue.js';

/** What "provisional" means, in one place for the page, the CLI and the docs' wording. */
export const PROVISIONAL_MEANING = EN.t('prov.meaning');

/** How long after the probes start the first provisional answer comes (src/session/collect/live.ts keeps to it). */
export const FIRST_ANSWER_S = 3;

/** While the page connects to the test server, before any probe is sent. */
export const connectingWords = (m: Messages = EN): string => m.t('prov.connecting', { seconds: String(FIRST_ANSWER_S) });

/** While the probes run, before the first provisional answer. */
export const beforeFirstWords = (m: Messages = EN): string => m.t('prov.beforeFirst', { seconds: String(FIRST_ANSWER_S) });

/** A round trip this near its target (a quarter of it either side) is "close"; farther, an undecided interval is the spread's doing. */
const CLOSE_FRACTION = 0.25;

type ProvisionalTone = 'bad' | 'good' | 'unsure';
type ItemState = 'settled' | 'likely' | 'so-far';

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
  /** The answer of the first settled fail shown: its headline stays the headline for the rest of the test, later findings below it. */
  pinned?: ProvisionalFacts | null;
  /**
   * When the last answer that said "Good so far" was read (s of the test), while this one no
   * longer does: a headline that gets worse says so, with its reason beside it. Null (or absent)
   * otherwise.
   */
  goodUntilS?: number | null;
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
const who = (m: Messages, d: DirectionName): string => m.t(`who.${d}`);

/** The burst figures: the report's evidence in English (`m` absent), the page's words in its language. */
function burstWords(c: BurstClaim, m: Messages = EN): string {
  const w = c.window;
  if (w === null) return m.t('prov.burst.none');
  if (w.lost === 0) return m.t('prov.burst.noneLost', { packets: m.fmt.count(w.packets) });
  return m.t('prov.burst.lost', {
    lost: m.fmt.count(w.lost),
    packets: m.fmt.count(w.packets),
    pct: m.fmt.pct(w.pct, c.thresholdPct),
    at: m.fmt.seconds(Math.max(0, w.fromMs)),
  });
}

function lossWords(m: Messages, c: LossClaim): string {
  return c.lost === 0
    ? m.t('prov.loss.noneLost', { judged: m.fmt.count(c.judged) })
    : m.t('prov.loss.someLost', { lost: m.fmt.count(c.lost), judged: m.fmt.count(c.judged) });
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

function pathItem(m: Messages, p: ProvisionalContext['path']): ProvisionalItem {
  const port = p.port === null ? '' : ` ${String(p.port)}`;
  if (p.transport === 'udp')
    return { state: 'settled', text: p.port === null ? m.t('prov.path.udp') : m.t('prov.path.udpPort', { port: String(p.port) }), expert: '' };
  if (p.transport === 'unknown') return { state: 'settled', text: m.t('prov.path.unknown'), expert: '' };
  return { state: 'settled', text: m.t('prov.path.fallback', { path: `${p.transport.toUpperCase()}${port}` }), expert: '' };
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
function undecidedWords(m: Messages, u: Undecided, limit: string): string {
  return u === 'few' || u === 'close' || u === 'spread' ? m.t(`prov.why.${u}`, { limit }) : m.t(`prov.why.${u}`);
}

/** The headline while nothing is likely yet, by the most basic reason any target has. */
const undecidedHeadline = (m: Messages, u: Undecided): string => m.t(`prov.headline.${u}`);

function rttItem(m: Messages, c: RoundTripClaim): ProvisionalItem {
  const r = c.rtt;
  const expert = claimEvidence(c);
  if (r.p50Ms === null) return { state: 'so-far', text: m.t('prov.rtt.none'), expert };
  const value = m.fmt.ms(r.p50Ms, c.thresholdMs);
  const target = m.fmt.ms(c.thresholdMs);
  if (c.kind === 'likely-pass') return { state: 'likely', text: m.t('prov.rtt.likelyPass', { value, target }), expert };
  if (c.kind === 'likely-fail') return { state: 'likely', text: m.t('prov.rtt.likelyFail', { value, target }), expert };
  const why = rttUndecided(c) ?? 'seconds';
  if (why === 'close' || why === 'spread' || why === 'busy' || why === 'changing')
    return { state: 'so-far', text: m.t('prov.rtt.soFar', { value, why: undecidedWords(m, why, target) }), expert };
  const side = r.p50Ms < c.thresholdMs ? 'under' : 'over';
  return { state: 'so-far', text: m.t(`prov.rtt.soFar.${side}`, { value, target, why: undecidedWords(m, why, target) }), expert };
}

function lossItem(m: Messages, c: LossClaim, name: DirectionName, anyLost: boolean): ProvisionalItem {
  const expert = claimEvidence(c);
  const whom = who(m, name);
  const limit = m.fmt.pct(c.thresholdPct);
  switch (c.kind) {
    case 'settled-fail':
      return { state: 'settled', text: m.t('prov.loss.settled', { who: whom, lost: m.fmt.count(c.settled?.missing ?? c.lost), limit }), expert };
    case 'likely-fail':
      return { state: 'likely', text: m.t('prov.loss.likelyFail', { who: whom, limit, figures: lossWords(m, c) }), expert };
    case 'likely-pass':
      return {
        state: 'likely',
        text: m.t('prov.loss.likelyPass', { who: whom, limit, span: m.fmt.seconds(c.spanMs), figures: lossWords(m, c) }),
        expert,
      };
    default: {
      const why = lossUndecided(c, anyLost) ?? 'seconds';
      if (why === 'none') return { state: 'so-far', text: m.t('prov.loss.none', { who: whom }), expert };
      // A side only where the bounds lie wholly on it: "none lost, near the limit" would say what the figures do not.
      const side = c.upperPct !== null && c.upperPct < c.thresholdPct ? 'under' : c.lowerPct !== null && c.lowerPct > c.thresholdPct ? 'above' : null;
      const words = { who: whom, figures: lossWords(m, c), why: undecidedWords(m, why, limit) };
      if (why === 'few' || side === null) return { state: 'so-far', text: m.t('prov.loss.soFar', words), expert };
      return { state: 'so-far', text: m.t(`prov.loss.soFar.${side}`, { ...words, limit }), expert };
    }
  }
}

function burstItem(m: Messages, c: BurstClaim, name: DirectionName): ProvisionalItem {
  const expert = claimEvidence(c);
  const words = { who: who(m, name), figures: burstWords(c, m), limit: m.fmt.pct(c.thresholdPct) };
  if (c.kind === 'settled-fail') return { state: 'settled', text: m.t('prov.burstItem.settled', words), expert };
  return { state: 'so-far', text: m.t('prov.burstItem.soFar', words), expert };
}

function jitterItem(m: Messages, claims: readonly JitterClaim[]): ProvisionalItem | null {
  const known = claims.filter((c) => c.meanMs !== null);
  if (known.length === 0) return null;
  const each = known.map((c) => m.t('prov.jitter.each', { value: m.fmt.ms(c.meanMs ?? 0), who: who(m, c.direction) }));
  return {
    state: 'so-far',
    text: m.t('prov.jitter', { each: m.lang === 'en' ? each.join(', ') : m.fmt.andList(each) }),
    expert: known.map((c) => `${WHO[c.direction]}: ${claimEvidence(c)}`).join('; '),
  };
}

/** Whether the answer read from these claims says "Good so far": every round-trip and loss claim a likely pass, no fail settled. */
export function saysGood(claims: readonly Claim[]): boolean {
  return headline(EN, claims).tone === 'good';
}

function headline(m: Messages, claims: readonly Claim[]): { tone: ProvisionalTone; text: string } {
  const goesOn = m.t('prov.goesOn');
  const burst = claims.find((c): c is BurstClaim => c.kind === 'settled-fail' && c.metric === 'burst-loss-200ms');
  if (burst !== undefined) return { tone: 'bad', text: m.t('prov.headline.burst', { figures: burstWords(burst, m), who: who(m, burst.direction), goesOn }) };
  const loss = claims.find((c): c is LossClaim => c.kind === 'settled-fail' && c.metric === 'loss-15s');
  if (loss !== undefined) {
    return {
      tone: 'bad',
      text: m.t('prov.headline.loss', { lost: m.fmt.count(loss.settled?.missing ?? loss.lost), who: who(m, loss.direction), goesOn }),
    };
  }
  const likelyFail = claims.find((c) => c.kind === 'likely-fail');
  if (likelyFail !== undefined) {
    return {
      tone: 'bad',
      text:
        likelyFail.metric === 'latency-rtt'
          ? m.t('prov.headline.likelyFailRtt')
          : m.t('prov.headline.likelyFailLoss', { who: who(m, likelyFail.direction as DirectionName) }),
    };
  }
  const needPass = claims.filter((c) => c.metric === 'latency-rtt' || c.metric === 'loss-15s');
  if (needPass.length > 0 && needPass.every((c) => c.kind === 'likely-pass')) return { tone: 'good', text: m.t('prov.headline.good') };
  const anyLost = claims.some((c) => c.metric === 'loss-15s' && c.lost > 0);
  const reasons = needPass.flatMap((c) => (c.metric === 'latency-rtt' ? [rttUndecided(c)] : c.metric === 'loss-15s' ? [lossUndecided(c, anyLost)] : []));
  const first = UNDECIDED_RANK.find((u) => reasons.includes(u)) ?? 'seconds';
  return { tone: 'unsure', text: undecidedHeadline(m, first) };
}

const RANK: Record<ItemState, number> = { settled: 0, likely: 1, 'so-far': 2 };

/** The provisional answer as the page shows it. */
export function provisionalView(f: ProvisionalFacts, ctx: ProvisionalContext, m: Messages = EN): ProvisionalView {
  const anyLost = f.claims.some((c) => c.metric === 'loss-15s' && c.lost > 0);
  const items: ProvisionalItem[] = [pathItem(m, ctx.path)];
  for (const c of f.claims) {
    if (c.metric === 'latency-rtt') items.push(rttItem(m, c));
    else if (c.metric === 'loss-15s') items.push(lossItem(m, c, c.direction, anyLost));
    else if (c.metric === 'burst-loss-200ms') items.push(burstItem(m, c, c.direction));
  }
  const jitter = jitterItem(
    m,
    f.claims.filter((c): c is JitterClaim => c.metric === 'jitter-15s'),
  );
  if (jitter !== null) items.push(jitter);
  // Once a fail has settled, its headline stays: what follows is added below it, never put in its place.
  const h = headline(m, (ctx.pinned ?? f).claims);
  // A headline worse than the "Good so far" shown before says so, its reason beside it.
  const goodUntil = ctx.goodUntilS ?? null;
  const text = h.tone === 'unsure' && goodUntil !== null ? m.t('prov.headline.noLonger', { headline: h.text, at: m.fmt.seconds(goodUntil * 1000) }) : h.text;
  return {
    atS: f.atMs / 1000,
    tone: h.tone,
    headline: text,
    items: items
      .map((it, i) => ({ it, i }))
      .sort((a, b) => RANK[a.it.state] - RANK[b.it.state] || a.i - b.i)
      .map((x) => x.it),
    notYetKnown: m.t('prov.notYetKnown'),
    held:
      ctx.quiet.length === 0
        ? null
        : m.t('prov.held', { who: m.lang === 'en' ? ctx.quiet.map((d) => WHO[d]).join(' or ') : m.fmt.orList(ctx.quiet.map((d) => who(m, d))) }),
  };
}

/**
 * When the answer on screen was read, for its label: "3 s of 15 s measured", never more than the
 * test's length; once the probes have stopped, "finishing".
 */
export function provisionalWhen(atS: number, durationS: number, finishing: boolean, m: Messages = EN): string {
  const words = { at: m.fmt.num(Math.min(atS, durationS)), of: m.fmt.num(durationS) };
  return m.t(finishing ? 'prov.when.finishing' : 'prov.when', words);
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
