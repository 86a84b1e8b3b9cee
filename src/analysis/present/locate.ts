/**
 * The edges of a report in words: the one sentence the page, `run` and the console say first
 * ("Nearest test server: West Europe, 23 ms away. Also tried: North Europe 31 ms, East US 88 ms.")
 * and the table for IT, one row per edge measured. Pure.
 */
import type { Report } from '../schema/report-schema.js';
import type { LocatedEdge } from '../schema/locate-schema.js';
import { EN, type Messages } from './catalogue.js';

/** An edge's name for a person: its region, and its id too when another edge measured stands in the same region. */
function nameOf(e: { id: string; azureRegion: string }, all: readonly { id: string; azureRegion: string }[]): string {
  return all.filter((x) => x.azureRegion === e.azureRegion).length > 1 ? `${e.azureRegion} (${e.id})` : e.azureRegion;
}

/** An edge in a list for IT, by its id and its region: "edge ams-1 (West Europe)". */
export function edgeName(e: { id: string; azureRegion: string | null }): string {
  return `edge ${e.id}${e.azureRegion === null || e.azureRegion === '' ? '' : ` (${e.azureRegion})`}`;
}

/** "North Europe 31 ms", "East US 88 ms with 15% loss", "East US did not answer". */
function alsoTried(m: Messages, e: LocatedEdge, all: readonly LocatedEdge[], lossTargetPct: number): string {
  const name = nameOf(e, all);
  if (e.state === 'unreachable' || e.rttMsP50 === null) return m.t('edge.tried.silent', { name });
  const rtt = m.fmt.ms(e.rttMsP50);
  return e.lossPct !== null && e.lossPct >= lossTargetPct
    ? m.t('edge.tried.lossy', { name, rtt, loss: m.fmt.pct(e.lossPct) })
    : m.t('edge.tried', { name, rtt });
}

/** The page's first words about where the test ran; null when it ran on the server itself (no edge). */
export function edgeSentence(r: Pick<Report, 'meta' | 'locate'>, m: Messages = EN): string | null {
  const ran = r.meta.edge;
  if (ran === undefined) return null;
  const l = r.locate;
  if (l === undefined) return m.t('edge.server', { name: ran.azureRegion });
  const here = l.edges.find((e) => e.id === ran.id);
  const rtt = here !== undefined && here.rttMsP50 !== null && here.state === 'ok' ? m.fmt.ms(here.rttMsP50) : null;
  const name = nameOf(ran, l.edges);
  const others = l.edges.filter((e) => e.id !== ran.id);
  const first =
    l.nearest === ran.id
      ? rtt === null
        ? m.t('edge.nearest', { name })
        : m.t('edge.nearestAway', { name, rtt })
      : l.nearest === null && here?.state === 'ok'
        ? rtt === null
          ? m.t('edge.noneClean', { name, loss: m.fmt.pct(l.lossTargetPct) })
          : m.t('edge.noneCleanAway', { name, rtt, loss: m.fmt.pct(l.lossTargetPct) })
        : here?.state === 'ok'
          ? rtt === null
            ? m.t('edge.server', { name })
            : m.t('edge.serverAway', { name, rtt })
          : m.t('edge.noneAnswered', { name, budget: m.fmt.ms(l.budgetMs) });
  if (others.length === 0) return first;
  const tried = others.map((e) => alsoTried(m, e, l.edges, l.lossTargetPct));
  return m.t('edge.alsoTried', { first, tried: m.lang === 'en' ? tried.join(', ') : m.fmt.andList(tried) });
}

/** One row of the table for IT. */
export interface LocateRow {
  edge: string;
  region: string;
  /** "nearest, tested", "tested", "nearest" or "". */
  role: string;
  state: string;
  allocate: string;
  rttP50: string;
  rttP90: string;
  loss: string;
  probes: string;
}

/** The table for IT: every edge measured, in the hub's order; empty without a locate. */
export function locateRows(r: Pick<Report, 'meta' | 'locate'>, m: Messages = EN): LocateRow[] {
  const l = r.locate;
  if (l === undefined) return [];
  const roleOf = (nearest: boolean, tested: boolean): string =>
    nearest && tested ? m.t('it.servers.role.both') : nearest ? m.t('it.servers.role.nearest') : tested ? m.t('it.servers.role.tested') : '';
  return l.edges.map((e) => ({
    edge: e.id,
    region: e.azureRegion,
    role: roleOf(l.nearest === e.id, r.meta.edge?.id === e.id),
    state: m.t(e.state === 'ok' ? 'it.servers.state.ok' : 'it.servers.state.unreachable'),
    allocate: m.fmt.figureMs(e.allocateMs),
    rttP50: m.fmt.figureMs(e.rttMsP50),
    rttP90: m.fmt.figureMs(e.rttMsP90),
    loss: m.fmt.figurePct(e.lossPct, l.lossTargetPct),
    probes: String(e.probesSent),
  }));
}
