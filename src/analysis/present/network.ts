/** The network the user is on, in words: the connection the browser names, a split path, and each address family to the relay. Pure. */
import type { Families, FamilyFigures, NetworkContext } from '../schema/network-schema.js';
import { EN, type Messages } from './catalogue.js';

const TYPES = ['bluetooth', 'cellular', 'ethernet', 'none', 'wifi', 'wimax', 'other', 'unknown'] as const;
type KnownType = (typeof TYPES)[number];
const isKnownType = (t: string): t is KnownType => (TYPES as readonly string[]).includes(t);

const NAME = { ipv4: 'IPv4', ipv6: 'IPv6' } as const;

function familyFigures(f: FamilyFigures, m: Messages): string {
  const rtt = f.rttMsP50 === null ? m.t('network.noRtt') : m.t('network.rtt', { value: m.fmt.ms(f.rttMsP50) });
  return f.lossPct === null ? rtt : m.t('network.rttLoss', { rtt, loss: m.fmt.pct(f.lossPct), probes: String(f.probesJudged) });
}

/** Each family's figures, then the one much worse (with what to do) or the one that did not get through. */
function familyLines(f: Families, m: Messages): string[] {
  const { ipv4: v4, ipv6: v6 } = f;
  if (v4.state !== 'ok' && v6.state !== 'ok') return [m.t('network.neither')];
  if (v4.state !== 'ok' || v6.state !== 'ok') {
    const [ok, not] = v4.state === 'ok' ? (['ipv4', 'ipv6'] as const) : (['ipv6', 'ipv4'] as const);
    return [m.t('network.only', { ok: NAME[ok], figures: familyFigures(f[ok], m), not: NAME[not] })];
  }
  const figures = m.t('network.both', { v4: familyFigures(v4, m), v6: familyFigures(v6, m) });
  if (f.worse === null) return [m.t('network.bothEven', { figures })];
  const other = f.worse === 'ipv4' ? 'ipv6' : 'ipv4';
  return [figures, m.t(`network.worse.${f.worse}`, { worse: NAME[f.worse], other: NAME[other] })];
}

/** The connection's sentence, then the split path's, then each address family's, in `m`'s language. */
export function networkLines(n: NetworkContext, m: Messages = EN): string[] {
  const t = n.connectionType;
  const type = t === null ? m.t('network.type.unsaid') : m.t('network.type', { type: isKnownType(t) ? m.t(`network.type.${t}`) : t });
  // The browser's estimate (WICG Network Information API, `effectiveType`) tops out at "4g": a
  // cable or a fibre line reads as 4g too, so only a slower class says something.
  const effective = n.effectiveType;
  const line = effective === null || effective === '4g' ? type : m.t('network.typeRated', { type, rated: effective });
  return [line, m.t(`network.split.${n.splitPath}`), ...(n.families === undefined ? [] : familyLines(n.families, m))];
}
