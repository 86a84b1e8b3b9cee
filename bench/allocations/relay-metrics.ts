/**
 * What the allocations bench reads off the relay's /metrics (Prometheus text) after one page
 * test: per credential owner (the page's one credential, the reflector's one per session) the
 * most allocations held at once, and the allocations the page made on the public TURN ports.
 * Pure: text in, figures out.
 */

interface CredentialFigures {
  /** The largest peak among the credentials of the last minute (and any still holding allocations). */
  recentPeakMax: number;
  /** Credentials observed (idle for a minute) so far. */
  endedCount: number;
}

export interface RelayFigures {
  page: CredentialFigures;
  reflector: CredentialFigures;
  /** Allocations created and held now on the listeners of `publicPorts` (the page's; the reflector uses a loopback port of its own). */
  created: number;
  held: number;
  /** Allocations refused for the per-username quota (486), every listener. */
  refusedPerUsername: number;
}

/** The samples of `name` as [labels, value]: `name{a="b",...} v` lines. */
function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const close = line.lastIndexOf('}');
    const labelText = line.startsWith(`${name}{`) ? line.slice(name.length + 1, close) : '';
    const labels: Record<string, string> = {};
    for (const m of labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[m[1] ?? ''] = m[2] ?? '';
    out.push({ labels, value: Number(line.slice((close >= 0 ? close : name.length) + 1).trim()) });
  }
  return out;
}

const sum = (xs: { value: number }[]): number => xs.reduce((s, x) => s + x.value, 0);

function credentialFigures(text: string, owner: 'page' | 'reflector'): CredentialFigures {
  const of = (name: string): { value: number }[] => samples(text, name).filter((s) => s.labels['owner'] === owner);
  return {
    recentPeakMax: sum(of('callprobe_turn_credential_recent_peak_allocations')),
    endedCount: sum(of('callprobe_turn_credential_peak_allocations_count')),
  };
}

export function relayFigures(text: string, publicPorts: readonly number[]): RelayFigures {
  const onPublic = (name: string): { value: number }[] => samples(text, name).filter((s) => publicPorts.includes(Number(s.labels['port'])));
  return {
    page: credentialFigures(text, 'page'),
    reflector: credentialFigures(text, 'reflector'),
    created: sum(onPublic('callprobe_turn_allocations_total')),
    held: sum(onPublic('callprobe_turn_allocations_active')),
    refusedPerUsername: sum(samples(text, 'callprobe_turn_refusals_total').filter((s) => s.labels['reason'] === 'quota-username')),
  };
}

/**
 * The page credential's most allocations at once, from a fresh relay's figures read within a
 * minute of the test (the relay still follows the credential): null when it saw none.
 */
export function pagePeak(f: RelayFigures): number | null {
  return f.page.recentPeakMax > 0 ? f.page.recentPeakMax : null;
}
