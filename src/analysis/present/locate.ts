/**
 * The edges of a report in words: the sentences the page, `run` and the console say first
 * ("Nearest test server: West Europe, 23 ms away. Also tried: North Europe 31 ms, East US 88 ms.",
 * then a tie, a scheduled site's edge kept or moved, a path that changed during the test) and the
 * table for IT, one row per edge reached. Pure.
 */
import { DEFAULTS } from '../../protocol/defaults.js';
import type { Report } from '../schema/report-schema.js';
import type { Locate, LocatedEdge } from '../schema/locate-schema.js';
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
  const said = [others.length === 0 ? first : m.t('edge.alsoTried', { first, tried: triedList(m, others, l) }), ...afterwards(m, ran.id, l)];
  return said.join(' ');
}

/** The other edges, each measured one with its round trip, each silent one as such, and those the first pass alone reached as a count. */
function triedList(m: Messages, others: readonly LocatedEdge[], l: Locate): string {
  const firstOnly = others.filter((e) => e.firstPassOnly === true && e.state === 'ok');
  const tried = others.filter((e) => !firstOnly.includes(e)).map((e) => alsoTried(m, e, l.edges, l.lossTargetPct));
  if (firstOnly.length > 0)
    tried.push(m.plural(firstOnly.length, 'edge.tried.firstPass.one', 'edge.tried.firstPass.other', { count: String(firstOnly.length) }));
  return m.lang === 'en' ? tried.join(', ') : m.fmt.andList(tried);
}

/** What follows the first sentence: a tie with the nearest, a scheduled site's edge kept or moved, and a path that changed during the test. */
function afterwards(m: Messages, ranOn: string, l: Locate): string[] {
  const named = (id: string): string => nameOf(l.edges.find((e) => e.id === id) ?? { id, azureRegion: id }, l.edges);
  const out: string[] = [];
  const nearest = l.edges.find((e) => e.id === l.nearest);
  const tie = l.edges.find((e) => e.id === l.tie);
  const margin = DEFAULTS.locate.keep;
  if (nearest?.rttMsP50 != null && tie?.rttMsP50 != null)
    out.push(
      m.t('edge.tie', {
        first: named(nearest.id),
        second: named(tie.id),
        firstRtt: m.fmt.ms(nearest.rttMsP50),
        secondRtt: m.fmt.ms(tie.rttMsP50),
        ms: m.fmt.ms(margin.nearerMs),
        pct: m.fmt.pct(margin.nearerPct),
      }),
    );
  const site = l.site;
  if (site?.challenger != null && site.kept === ranOn) out.push(m.t('edge.siteStays', { name: named(ranOn), other: named(site.challenger) }));
  if (site?.moved === true && site.kept !== null) out.push(m.t('edge.siteMoved', { from: named(site.kept) }));
  if (l.pathChanged !== undefined)
    out.push(m.t('edge.pathChanged', { name: named(ranOn), test: m.fmt.ms(l.pathChanged.rttMsP50), locate: m.fmt.ms(l.pathChanged.locateRttMsP90) }));
  return out;
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
    state: m.t(e.state !== 'ok' ? 'it.servers.state.unreachable' : e.firstPassOnly === true ? 'it.servers.state.firstPass' : 'it.servers.state.ok'),
    allocate: m.fmt.figureMs(e.allocateMs),
    rttP50: m.fmt.figureMs(e.rttMsP50),
    rttP90: m.fmt.figureMs(e.rttMsP90),
    loss: m.fmt.figurePct(e.lossPct, l.lossTargetPct),
    probes: String(e.probesSent),
  }));
}

/** The caption of the table for IT: what it measured, and over which address family when the locate chose one (the page's own path's). */
export function locateCaption(r: Pick<Report, 'locate'>, m: Messages = EN): string {
  const family = r.locate?.family ?? null;
  const caption = m.t('it.servers.caption');
  return family === null ? caption : `${caption} ${m.t('it.servers.family', { family: family === 'ipv4' ? 'IPv4' : 'IPv6' })}`;
}
