/**
 * A site's health beside its P90s, for the all-sites overview and the console: when it was last
 * heard of, whether it has gone silent (no sample that tested for a while of callprobe's up time),
 * its own outages (could-not-test samples while callprobe's service was up) told from ours, and
 * its raised alerts. The flags say in one line what IT should look at.
 */

/**
 * When a site's last report was heard of, for its silence: the earlier of its newest start and
 * when the server received its newest report (null when it never reported). A start the uploader
 * wrote cannot hold a silence off (the upload door refuses one more than 10 minutes ahead of its
 * receipt, and the receipt caps it), and a test that ran long ago, uploaded late from a spool,
 * does not make the site fresh. Neither time alone does both.
 */
export function lastReportHeardAtMs(lastReportAtMs: number | null, lastReportStoredAtMs: number | null): number | null {
  if (lastReportAtMs === null) return lastReportStoredAtMs;
  return lastReportStoredAtMs === null ? lastReportAtMs : Math.min(lastReportAtMs, lastReportStoredAtMs);
}

/** What the store and the heartbeats tell of one site. */
export interface SiteHealthFacts {
  lastSampleAtMs: number | null;
  lastReportAtMs: number | null;
  /** callprobe's up time since the site's last report (or, never having had one, its first sample). */
  silentUpMs: number;
  /** Could-not-test samples of the span: all (interrupted ones apart), and those that started while callprobe's service was down. */
  couldNotTest: number;
  interrupted: number;
  ourOutages: number;
  samplesTotal: number;
  raised: ReadonlyArray<{ metric: string; sinceMs: number | null }>;
  /** A site with a site token and no stored sample: when its first live token was made (silentUpMs counts from it); absent otherwise. */
  neverReportedSinceMs?: number;
  /**
   * A site whose every live token awaits its first sample (site-token create --await-first-sample)
   * and no stored sample: when its first token was made. Not yet installed: no silence is counted
   * for it (silentUpMs 0) until its first sample. Absent otherwise.
   */
  notInstalledSinceMs?: number;
}

/** When the flags go up: the alert rules' own durations and shares when configured, else the overview's defaults. */
export interface HealthRules {
  silentForMs: number;
  outagesAbovePct: number;
}

type SiteFlag =
  | { kind: 'silent'; silentUpMs: number; sentence: string }
  | { kind: 'never-reported'; tokenSince: string; silentUpMs: number; sentence: string }
  | { kind: 'not-installed'; tokenSince: string; sentence: string }
  | { kind: 'outages'; samples: number; pct: number; sentence: string }
  | { kind: 'alert'; metric: string; since: string | null; sentence: string };

export interface SiteHealth {
  lastSampleAt: string | null;
  lastReportAt: string | null;
  /** Could-not-test samples of the span by whose outage they were (interrupted ones are nobody's). */
  outages: { site: number; ours: number; interrupted: number };
  flags: SiteFlag[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** "2 h 10 min", "45 min" (whole minutes). */
function spanText(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${m} min`;
}

export function siteHealth(f: SiteHealthFacts, rules: HealthRules): SiteHealth {
  const site = Math.max(0, f.couldNotTest - f.ourOutages - f.interrupted);
  const flags: SiteFlag[] = [];
  // A probe not installed yet, as its token said: listed, and no silence is counted before its first sample.
  if (f.notInstalledSinceMs !== undefined)
    flags.push({
      kind: 'not-installed',
      tokenSince: iso(f.notInstalledSinceMs) ?? '',
      sentence: `not yet installed: a site token was made ${iso(f.notInstalledSinceMs) ?? ''} to wait for the probe's first sample; its silence is counted from that sample`,
    });
  // A probe that was never installed (or never reached us): listed whatever its silence, said as such.
  else if (f.neverReportedSinceMs !== undefined)
    flags.push({
      kind: 'never-reported',
      tokenSince: iso(f.neverReportedSinceMs) ?? '',
      silentUpMs: f.silentUpMs,
      sentence: `never reported: a site token was made ${iso(f.neverReportedSinceMs) ?? ''} and no sample has been stored since (${spanText(f.silentUpMs)} of callprobe's up time)`,
    });
  else if (f.silentUpMs >= rules.silentForMs)
    flags.push({
      kind: 'silent',
      silentUpMs: f.silentUpMs,
      sentence: `silent: no sample tested for ${spanText(f.silentUpMs)} of callprobe's up time${f.lastReportAtMs === null ? ' (none ever did)' : ` (last at ${iso(f.lastReportAtMs) ?? ''})`}`,
    });
  const pct = f.samplesTotal === 0 ? 0 : (site / f.samplesTotal) * 100;
  if (site > 0 && pct > rules.outagesAbovePct)
    flags.push({
      kind: 'outages',
      samples: site,
      pct,
      sentence: `outages: ${site} of ${f.samplesTotal} samples could not test while callprobe's service was up (${Math.round(pct)}%)`,
    });
  for (const a of f.raised)
    flags.push({
      kind: 'alert',
      metric: a.metric,
      since: iso(a.sinceMs),
      sentence: `alert raised: ${a.metric}${a.sinceMs === null ? '' : ` since ${iso(a.sinceMs) ?? ''}`}`,
    });
  return { lastSampleAt: iso(f.lastSampleAtMs), lastReportAt: iso(f.lastReportAtMs), outages: { site, ours: f.ourOutages, interrupted: f.interrupted }, flags };
}
