/**
 * A site's could-not-test samples split by whose outage they were, from when callprobe's own
 * service was down (./service.ts).
 */
import { inDowntime, type Interval } from './service.js';

/** A could-not-test reason and how many samples had it. */
export interface ReasonCount {
  reason: string;
  samples: number;
}

/**
 * The could-not-test samples split by whose outage they were (./service.ts): the site's own
 * (while callprobe's service was up: its network, its WAN, its probe machine), ours (started
 * while no callprobe instance was up, or on the server's side: src/protocol/could-not-finish.ts)
 * and interrupted (the scheduler was stopped mid-sample: nobody's network).
 */
export interface Outages {
  /** The site's own; `blocked` of them found every relay port blocked by its network (./causes.ts), the others by reason. */
  site: { samples: number; reasons: ReasonCount[]; blocked: number };
  ours: { samples: number };
  interrupted: { samples: number };
}

/** The could-not-test reason of a sample the scheduler abandoned when it was stopped. */
export const INTERRUPTED_REASON = 'interrupted';

/** Counts of reasons, most first, then by name. */
export function reasonCounts(reasons: readonly string[]): ReasonCount[] {
  const m = new Map<string, number>();
  for (const r of reasons) m.set(r, (m.get(r) ?? 0) + 1);
  return [...m].map(([reason, n]) => ({ reason, samples: n })).sort((a, b) => b.samples - a.samples || a.reason.localeCompare(b.reason));
}

/** The could-not-test samples split by whose outage they were; `down` is callprobe's downtime (./service.ts). */
export function outagesOf(couldNotTest: ReadonlyArray<{ startedAtMs: number; reason: string; side?: string | undefined }>, down: readonly Interval[]): Outages {
  const site: string[] = [];
  let blocked = 0;
  let ours = 0;
  let interrupted = 0;
  for (const s of couldNotTest) {
    if (s.reason === INTERRUPTED_REASON) interrupted++;
    else if (inDowntime(down, s.startedAtMs) || s.side === 'server') ours++;
    else if (s.reason === 'could-not-connect' && s.side === 'network') blocked++;
    else site.push(s.reason);
  }
  return {
    site: { samples: site.length + blocked, reasons: reasonCounts(site), blocked },
    ours: { samples: ours },
    interrupted: { samples: interrupted },
  };
}
