/** The words of a site report (src/analysis/site): one sentence per metric, the left-out samples, the worst hours. */
import type { HourCell, LeftOut } from '../site/site.js';
import type { SiteMetric } from '../site/p90.js';
import type { Outages, ReasonCount } from '../site/outages.js';
import type { SampleCauses } from '../site/causes.js';
import type { BusyLineDirection, BusyLineFacts } from '../site/busy-line.js';
import type { SiteQosDirection, SiteQosFacts } from '../site/qos.js';
import type { SiteVideoDirection, SiteVideoFacts } from '../site/video.js';
import { andList, count, ms, num, pct, plural, portSpan } from './format.js';
import { mbps } from './load.js';
import { earlyFailText, targetWhere } from './sentences.js';

const value = (v: number, unit: 'ms' | '%', threshold?: number): string => (unit === 'ms' ? ms(v, threshold) : pct(v, threshold));

/** What a could-not-test reason means, for "... could not reach the relay". */
const COULD_NOT: Record<string, string> = {
  'no-relay': 'reach the relay',
  'connect-timeout': 'connect in time',
  'could-not-connect': 'connect',
  'no-server': 'reach the server',
};

/** "12 of 1,008 samples could not reach the relay" (without an ending), or null when none. */
function couldNotTestCore(reasons: readonly ReasonCount[], total: number): string | null {
  const n = reasons.reduce((s, r) => s + r.samples, 0);
  if (n === 0) return null;
  const parts = reasons.map((r) => `${count(r.samples)} could not ${COULD_NOT[r.reason] ?? `test (${r.reason})`}`);
  const first = reasons[0];
  if (reasons.length === 1 && first !== undefined)
    return `${count(n)} of ${plural(total, 'sample')} could not ${COULD_NOT[first.reason] ?? `test (${first.reason})`}`;
  return `${count(n)} of ${plural(total, 'sample')} could not test (${parts.join(', ')})`;
}

/** "12 of 1,008 samples could not reach the relay; they are counted, not graded.", or null when every sample ran. */
export function couldNotTestSentence(reasons: readonly ReasonCount[], total: number): string | null {
  const core = couldNotTestCore(reasons, total);
  return core === null ? null : `${core}; they are counted, not graded.`;
}

/**
 * The site's own outages, and ours, each in its own sentence (null when none): "Site outages: 35
 * of 40 samples could not reach the server while callprobe's service was up; the site's own,
 * counted, not graded." and "3 of 40 samples could not test while callprobe's service was down or failing:
 * our outage, not the site's."
 */
export function outageSentences(o: Outages, total: number): { site: string | null; ours: string | null } {
  const site = couldNotTestCore(o.site.reasons, total);
  return {
    site: site === null ? null : `Site outages: ${site} while callprobe's service was up; the site's own, counted, not graded.`,
    ours:
      o.ours.samples === 0
        ? null
        : `${count(o.ours.samples)} of ${plural(total, 'sample')} could not test while callprobe's service was down or failing: our outage, not the site's.`,
  };
}

/** "UDP 3478-3481 and TCP 443": each transport once, its ports as a span. */
function portsText(ports: ReadonlyArray<readonly [string, number]>): string {
  const byTransport = new Map<string, number[]>();
  for (const [t, p] of ports) byTransport.set(t, [...(byTransport.get(t) ?? []), p]);
  return andList([...byTransport].map(([t, ps]) => `${t.toUpperCase()} ${portSpan(ps)}`));
}

/**
 * The samples whose network blocked the relay's ports (./site/causes.ts), without an ending:
 * "3 of 3 samples: this site's network blocked every port Teams uses (UDP 3478-3481 and TCP
 * 443): calls could not connect", or, where the server did not offer them all, "... blocked
 * every relay port the test server offered (UDP 3478-3481 and TCP 3478)"; null when none.
 */
export function blockedCore(b: SampleCauses['blocked'], total: number): string | null {
  if (b.samples === 0) return null;
  const ports = portsText(b.ports);
  const of = `${count(b.samples)} of ${plural(total, 'sample')}`;
  return b.everyTeamsPort === b.samples
    ? `${of}: this site's network blocked every port Teams uses (${ports}), so calls could not connect`
    : `${of}: this site's network blocked every media port the test server offered (${ports})`;
}

/**
 * Why samples could not be judged, one sentence per cause that has any (./site/causes.ts): the
 * site's network blocking the relay's ports (with what to ask for), a probe machine too busy
 * (with what to do), the reports the test server left without a verdict (ours), and those left
 * without one for other reasons. The could-not-test samples the blocked ones leave have their own
 * lines (outageSentences): `outages` is how many were the site's (`site`) and ours (`ours`).
 */
export function causeSentences(
  c: SampleCauses,
  total: number,
  outages: { site: number; ours: number },
): { blocked: string | null; deviceBusy: string | null; ours: string | null; other: string | null } {
  const of = (n: number): string => `${count(n)} of ${plural(total, 'sample')}`;
  const blocked = blockedCore(c.blocked, total);
  const oursReports = c.ours - outages.ours;
  const otherReports = c.other - outages.site;
  return {
    blocked:
      blocked === null
        ? null
        : `${blocked}. Ask the network team to allow UDP 3478-3481 and TCP 443 outbound (Microsoft's list of ports for Teams); other tests reached the test server's relay meanwhile.`,
    deviceBusy:
      c.deviceBusy === 0
        ? null
        : `${of(c.deviceBusy)} could not be judged because the probe machine was too busy for the test: give the probe its own CPU (no other heavy programs beside it, or a machine of its own).`,
    ours: oursReports <= 0 ? null : `${of(oursReports)} had no verdict because the test server was busy or down: ours, not this site's.`,
    other: otherReports <= 0 ? null : `${of(otherReports)} had no verdict for other reasons: each sample says why.`,
  };
}

/** What the pool left out, or null when it left nothing out besides could-not-test samples. */
export function leftOutSentence(l: LeftOut, profileLabel: string | null, probePath: string | null): string | null {
  const parts: string[] = [];
  if (l.otherProfile > 0) parts.push(`${plural(l.otherProfile, 'sample')} of another profile`);
  if (l.otherPath > 0) parts.push(`${plural(l.otherPath, 'sample')} of another probe path`);
  if (l.unreadable > 0) parts.push(`${plural(l.unreadable, 'stored sample')} that could not be read`);
  if (parts.length === 0) return null;
  return `This report pools one profile (${profileLabel ?? 'none'}) and one probe path (${probePath ?? 'none'}); it leaves out ${parts.join(', ')}.`;
}

/** One metric: its P50/P90/P99, the interval of its P90 and the share that missed. */
export function siteMetricSentence(m: SiteMetric, minSamples: number): string {
  const where = targetWhere(m.label, m.direction);
  const target = value(m.threshold, m.unit);
  const apart =
    m.samplesInsufficient > 0
      ? ` ${plural(m.samplesInsufficient, 'sample')} could not be judged on this and ${m.samplesInsufficient === 1 ? 'is' : 'are'} not counted.`
      : '';
  if (m.p90 === null || m.p50 === null || m.p99 === null) return `${where}: no sample could be judged.${apart}`;
  const spread = `P50 ${value(m.p50, m.unit)}, P90 ${value(m.p90, m.unit, m.threshold)}, P99 ${value(m.p99, m.unit)} over ${plural(m.samplesGraded, 'sample')}`;
  const missed = m.missedPct === null ? '' : ` ${count(m.missed)} (${pct(m.missedPct)}) missed the target.`;
  if (m.earlyFail !== null) return `${where}: ${spread}; ${earlyFailText(m.earlyFail, minSamples, 'sample', (v) => value(v, m.unit), target)}${apart}`;
  if (m.p90Interval === null) {
    return `${where}: ${spread}; a P90 is graded from ${count(minSamples)} samples or more, so this is not graded (${count(m.samplesGraded)} of ${count(minSamples)}).${missed}${apart}`;
  }
  const ci = m.p90Interval;
  return `${where}: ${spread}; the target is below ${target}, so this ${m.status === 'pass' ? 'passes' : 'fails'} (${pct(ci.level * 100)} interval of the P90: ${value(ci.lower, m.unit)} to ${value(ci.upper, m.unit)}).${missed}${apart}`;
}

const DAY = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** "Tue 14:00-15:00" */
export function hourCellName(c: Pick<HourCell, 'weekday' | 'hour'>): string {
  const h = (x: number): string => `${String(x).padStart(2, '0')}:00`;
  return `${DAY[c.weekday] ?? '?'} ${h(c.hour)}-${h((c.hour + 1) % 24)}`;
}

/** One worst-hour cell: "Tue 14:00-15:00: 6 samples, 3 failed (50%), P90 round trip 180 ms". */
export function hourCellText(c: HourCell): string {
  return `${hourCellName(c)}: ${plural(c.samples, 'sample')}, ${count(c.failed)} failed (${pct(c.failedPct)}), P90 round trip ${c.p90RttMs === null ? '–' : ms(c.p90RttMs)}`;
}

/** "uploads added 180 ms at the 90th percentile (grade C) and 150 ms at the median over 11 samples; 9 of 11 added 60 ms or more; median goodput 1.9 Mbit/s" */
function busyDirectionText(d: BusyLineDirection, harmfulMs: number): string {
  const who = d.direction === 'up' ? 'uploads' : 'downloads';
  if (d.p90AddedDelayMs === null || d.p50AddedDelayMs === null) return `${who}: no added delay measured`;
  const harmful = d.harmful === 0 ? '' : `; ${count(d.harmful)} of ${count(d.samplesMeasured)} added ${ms(harmfulMs)} or more`;
  const goodput = d.medianGoodputMbps === null ? '' : `; median goodput ${mbps(d.medianGoodputMbps * 1e6)}`;
  return `${who} added ${ms(d.p90AddedDelayMs)} at the 90th percentile (grade ${d.grade ?? '–'}) and ${ms(d.p50AddedDelayMs)} at the median over ${plural(d.samplesMeasured, 'sample')}${harmful}${goodput}`;
}

/**
 * The busy line of a site in words (one explanation line): how many samples loaded the line, what their phases
 * said, and each direction's added delay. "Busy line (not part of the verdict): 12 samples
 * loaded the line; calls suffered in 9 and no effect was seen in 2; 1 could not run the phase.
 * Uploads added 180 ms at the 90th percentile (grade C) ... Downloads added 12 ms ..."
 */
export function busyLineSentence(b: BusyLineFacts): string {
  const said: string[] = [];
  if (b.suffers > 0) said.push(`calls suffered in ${count(b.suffers)}`);
  if (b.noEffect > 0) said.push(`no effect was seen in ${count(b.noEffect)}`);
  if (b.couldNotLoad > 0) said.push(`the line could not be loaded in ${count(b.couldNotLoad)}`);
  if (b.deviceBusy > 0) said.push(`the testing device, not the line, added the delay in ${count(b.deviceBusy)}`);
  if (b.serverBusy > 0) said.push(`the test server, not the line, was slow in ${count(b.serverBusy)}`);
  const head = `Busy line (not part of the verdict): ${plural(b.samples, 'sample')} loaded the line`;
  const ran = said.length === 0 ? '' : `; ${andList(said)}`;
  const notRun = b.notRun === 0 ? '' : `; ${count(b.notRun)} could not run the phase`;
  if (b.notRun === b.samples) return `${head}${notRun}.`;
  const dirs = [busyDirectionText(b.up, b.harmfulDelayMs), busyDirectionText(b.down, b.harmfulDelayMs)].map(
    (t) => `${t.charAt(0).toUpperCase()}${t.slice(1)}.`,
  );
  return `${head}${ran}${notRun}. ${dirs.join(' ')}`;
}

/** One way of a site's QoS marks: "EF survived the way out in 98% of samples (49 of 50 that measured it; cleared in 1)". */
function qosDirectionText(d: SiteQosDirection, way: 'out' | 'in'): string {
  if (d.keptPct === null) {
    return way === 'out'
      ? 'no sample measured the way out'
      : 'no sample measured the way in (a browser cannot; callprobe run --qos counts it, as root on Linux)';
  }
  const lost = [d.cleared > 0 ? `cleared in ${count(d.cleared)}` : null, d.remarked > 0 ? `changed to another mark in ${count(d.remarked)}` : null].filter(
    (x): x is string => x !== null,
  );
  return `EF survived the way ${way} in ${pct(d.keptPct)} of samples (${count(d.kept)} of ${count(d.measured)} that measured it${lost.length === 0 ? '' : `; ${andList(lost)}`})`;
}

/**
 * A site's QoS marks in words (one explanation line, ../site/qos.ts): "QoS marks (not part of
 * the verdict): EF survived the way out in 98% of samples (49 of 50 that measured it; cleared in
 * 1); no sample measured the way in (...)." Never graded: a fact with what it means.
 */
export function qosSentence(q: SiteQosFacts): string {
  const unmarked = q.upstream.notMarked === 0 ? '' : ` ${plural(q.upstream.notMarked, 'sample')} did not mark the way out (a browser without the setting).`;
  const lines = `QoS marks (not part of the verdict): ${qosDirectionText(q.upstream, 'out')}; ${qosDirectionText(q.downstream, 'in')}.${unmarked}`;
  return q.upstream.cleared + q.upstream.remarked > q.upstream.kept
    ? `${lines} The site's network mostly clears or changes the mark before the test server: QoS marks help there only inside the network, or over ExpressRoute.`
    : lines;
}

/** One way of a site's video: "up, 90% of samples carried at least 3.2 Mbit/s nearly whole". */
function videoDirectionText(d: SiteVideoDirection, way: 'up' | 'down'): string {
  const apart = d.deviceHeld === 0 ? '' : ` (${plural(d.deviceHeld, 'sample')} left out: the device, not the path, held the rate)`;
  if (d.p10CleanKbps === null) return `no sample measured ${way === 'up' ? 'the way up' : 'the way down'}${apart}`;
  return `${way === 'up' ? 'you to the relay' : 'the relay to you'}, 9 samples in 10 carried at least ${num(d.p10CleanKbps / 1000)} Mbit/s nearly whole${apart}`;
}

/**
 * A site's video through the relay in words (one explanation line, ../site/video.ts): "Video
 * through the relay (not part of the verdict, 20 samples): you to the relay, 9 samples in 10
 * carried at least 1.1 Mbit/s nearly whole; the relay to you, ... Room most of the time for
 * audio, screen sharing and video up to 360p."
 */
export function siteVideoSentence(v: SiteVideoFacts): string {
  const head = `Video through the relay (not part of the verdict, ${plural(v.samples, 'sample')}): ${videoDirectionText(v.upstream, 'up')}; ${videoDirectionText(v.downstream, 'down')}.`;
  const plain = v.room.filter((u) => u === 'audio' || u === 'screen-sharing').map((u) => (u === 'audio' ? 'audio' : 'screen sharing'));
  const top = v.room.filter((u) => u.startsWith('video-')).at(-1);
  const uses = top === undefined ? plain : [...plain, `video up to ${top.slice('video-'.length)}`];
  return uses.length === 0 ? `${head} Too little for any of a call's uses most of the time.` : `${head} Room most of the time for ${andList(uses)}.`;
}
