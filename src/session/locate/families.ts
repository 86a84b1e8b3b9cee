/**
 * IPv4 and IPv6 each measured to the relay, when the server offers both: the first UDP entry of
 * each family measured at once (measureAtOnce: a relay hairpin per family, the probes of both
 * starting together), round trip and loss per family, and whether one is much worse
 * (../../analysis/grade/family-gap.ts). A family this device does not have (or that is
 * blocked) is `unreachable`, and nothing is compared.
 */
import type { ServerConfig } from '../../protocol/api.js';
import { DEFAULTS } from '../../protocol/defaults.js';
import { familyOf } from '../../analysis/grade/connectivity.js';
import { worseFamily, type FamilyGapThresholds } from '../../analysis/grade/family-gap.js';
import type { Families, FamilyFigures } from '../../analysis/schema/network-schema.js';
import { measureAtOnce } from './locate.js';
import type { RelayRttEnv, RelayRttMeasurement, RelayRttSettings } from './relay-rtt.js';

const tenth = (x: number | null): number | null => (x === null ? null : Math.round(x * 10) / 10);

function figuresOf(m: RelayRttMeasurement | null): FamilyFigures {
  return {
    state: m?.state ?? 'unreachable',
    rttMsP50: tenth(m?.rttMsP50 ?? null),
    rttMsP90: tenth(m?.rttMsP90 ?? null),
    lossPct: tenth(m?.lossPct ?? null),
    probesSent: m?.probesSent ?? 0,
    probesJudged: m?.probesJudged ?? 0,
  };
}

/** Whether `cfg` offers a UDP relay entry of each family (the page measures both only then). */
function offersBothFamilies(cfg: Pick<ServerConfig, 'turn'>): boolean {
  const udp = cfg.turn.filter((e) => e.transport === 'udp');
  return udp.some((e) => familyOf(e.url) === 'ipv4') && udp.some((e) => familyOf(e.url) === 'ipv6');
}

/** Each family's round trips to the relay of `cfg`; null when it does not offer both families over UDP. */
export async function measureFamilies(
  cfg: Pick<ServerConfig, 'turn' | 'username' | 'credential'>,
  env: RelayRttEnv,
  settings: RelayRttSettings & FamilyGapThresholds & { budgetMs: number } = DEFAULTS.families,
): Promise<Families | null> {
  if (!offersBothFamilies(cfg)) return null;
  const first = (family: 'ipv4' | 'ipv6') => cfg.turn.find((e) => e.transport === 'udp' && familyOf(e.url) === family);
  const [v4, v6] = await measureAtOnce(
    [
      { entry: first('ipv4'), cred: cfg },
      { entry: first('ipv6'), cred: cfg },
    ],
    env,
    settings.budgetMs,
    settings,
  );
  const ipv4 = figuresOf(v4 ?? null);
  const ipv6 = figuresOf(v6 ?? null);
  return { ipv4, ipv6, worse: worseFamily(ipv4, ipv6, settings) };
}
