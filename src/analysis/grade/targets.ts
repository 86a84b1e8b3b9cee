/**
 * Grading targets as data: the one source of truth for every threshold callprobe grades.
 *
 * Origin: Microsoft, "Media Quality and Network Connectivity Performance in Skype for
 * Business Online", sections
 *  - "Network Performance requirements from a Skype for Business client to Microsoft
 *    network Edge"                                   -> profile client-to-edge
 *  - "Network performance requirements from your network Edge to Microsoft network Edge"
 *                                                    -> profile edge-to-edge
 *  - "Measuring Network Performance using Azure VMs" -> profile azure-region (RTT table;
 *    "The one-way latency targets will be half of the corresponding RTT targets. The
 *    packet loss and jitter goals stays the same as those defined for Skype Media Relay
 *    based testing.")
 *  - "Measuring network performance" -> the 90th-percentile rule (src/report/aggregate.ts).
 * Teams CQD "poor audio stream" tier: Microsoft, "Stream Classification in Call Quality
 * Dashboard" (MicrosoftDocs/OfficeDocs-SkypeForBusiness,
 * Teams/stream-classification-in-call-quality-dashboard.md).
 * All comparisons are strict: a value passes when value < threshold.
 */
import type { ProfileSelection } from '../schema/input.js';
import type { TargetId } from '../schema/report-schema.js';
import { ReasonedError } from '../../protocol/typed-error.js';

/** "Measuring network performance": one test every 10 minutes for a week, then the 90th percentile. */
export const RECOMMENDED_TESTS = 7 * 24 * 6;
export const RECOMMENDED_SPAN_DAYS = 7;

/** "Burst packet loss ... during any 200 ms interval". */
export const BURST_WINDOW_MS = 200;
/** "Packet loss / jitter ... during any 15 s interval". */
export const SUSTAINED_WINDOW_MS = 15_000;

/** The thresholds' unit of a target. */
export function targetUnit(target: TargetId): 'ms' | '%' {
  return target === 'latency-one-way' || target === 'latency-rtt' || target === 'jitter-15s' ? 'ms' : '%';
}

/** Plain label of each target, as in the Microsoft tables. */
export const TARGET_LABELS: Record<TargetId, string> = {
  'latency-one-way': 'Latency (one way)',
  'latency-rtt': 'Latency (round trip)',
  'burst-loss-200ms': 'Burst packet loss (any 200 ms)',
  'loss-15s': 'Packet loss (any 15 s)',
  'jitter-15s': 'Packet inter-arrival jitter (any 15 s)',
  reorder: 'Packet reorder',
};

/**
 * How much a miss of each target hurts a call, lower first: loss and burst loss break the
 * sound up, jitter makes it choppy, latency makes people talk over each other, reorder alone
 * is rarely audible (a jitter buffer puts it back in order). Every place that ranks findings
 * (the answer, the explanation, the help desk) ranks by this, never by the ratio to a target.
 */
export const CALL_IMPACT: Readonly<Record<TargetId, number>> = {
  'loss-15s': 0,
  'burst-loss-200ms': 1,
  'jitter-15s': 2,
  'latency-one-way': 3,
  'latency-rtt': 3,
  reorder: 4,
};

/** The six thresholds of one profile. */
export interface TargetThresholds {
  oneWayLatencyMs: number;
  rttMs: number;
  /** Worst 200 ms window. */
  burstLossPct: number;
  /** Worst 15 s window. */
  lossPct: number;
  /** Worst 15 s window, RFC 3550 jitter. */
  jitterMs: number;
  /** Out-of-order packets over the test. */
  reorderPct: number;
}

/** Microsoft's table, "... from a Skype for Business client to Microsoft network Edge". */
export const CLIENT_TO_EDGE: Readonly<TargetThresholds> = Object.freeze({
  oneWayLatencyMs: 50,
  rttMs: 100,
  burstLossPct: 10,
  lossPct: 1,
  jitterMs: 30,
  reorderPct: 0.05,
});

/** Microsoft's table, "... from your network Edge to Microsoft network Edge". */
export const EDGE_TO_EDGE: Readonly<TargetThresholds> = Object.freeze({
  oneWayLatencyMs: 30,
  rttMs: 60,
  burstLossPct: 1,
  lossPct: 0.1,
  jitterMs: 15,
  reorderPct: 0.01,
});

/** One row of Microsoft's table, "Measuring Network Performance using Azure VMs". */
export interface AzureRegionRow {
  customerRegion: string;
  azureRegion: string;
  /** "Your network Edge - Azure Round-trip Time (RTT)", ms. */
  edgeRttMs: number;
  /** "Your Site - Azure Round-trip Time (RTT)", ms. */
  siteRttMs: number;
}

export const AZURE_REGIONS: readonly AzureRegionRow[] = Object.freeze(
  [
    { customerRegion: 'Central US', azureRegion: 'Central US', edgeRttMs: 99, siteRttMs: 139 },
    { customerRegion: 'East US', azureRegion: 'East US', edgeRttMs: 86, siteRttMs: 126 },
    { customerRegion: 'North Central US', azureRegion: 'North Central US', edgeRttMs: 97, siteRttMs: 137 },
    { customerRegion: 'South Central US', azureRegion: 'South Central US', edgeRttMs: 94, siteRttMs: 134 },
    { customerRegion: 'West US', azureRegion: 'West US', edgeRttMs: 94, siteRttMs: 134 },
    { customerRegion: 'Hawaii US', azureRegion: 'West US', edgeRttMs: 116, siteRttMs: 156 },
    { customerRegion: 'Canada Central', azureRegion: 'Canada Central', edgeRttMs: 138, siteRttMs: 178 },
    { customerRegion: 'Canada East', azureRegion: 'Canada East', edgeRttMs: 131, siteRttMs: 171 },
    { customerRegion: 'North Europe', azureRegion: 'North Europe', edgeRttMs: 99, siteRttMs: 139 },
    { customerRegion: 'West Europe', azureRegion: 'West Europe', edgeRttMs: 95, siteRttMs: 135 },
    { customerRegion: 'East Asia', azureRegion: 'East Asia', edgeRttMs: 118, siteRttMs: 158 },
    { customerRegion: 'Southeast Asia', azureRegion: 'Southeast Asia', edgeRttMs: 97, siteRttMs: 137 },
    { customerRegion: 'Japan East', azureRegion: 'Japan East', edgeRttMs: 111, siteRttMs: 151 },
    { customerRegion: 'Japan West', azureRegion: 'Japan West', edgeRttMs: 118, siteRttMs: 158 },
    { customerRegion: 'Brazil South', azureRegion: 'Brazil South', edgeRttMs: 70, siteRttMs: 110 },
    { customerRegion: 'Australia East', azureRegion: 'Australia East', edgeRttMs: 124, siteRttMs: 164 },
    { customerRegion: 'Australia Southeast', azureRegion: 'Australia Southeast', edgeRttMs: 124, siteRttMs: 164 },
    { customerRegion: 'Central India', azureRegion: 'Central India', edgeRttMs: 103, siteRttMs: 143 },
    { customerRegion: 'South India', azureRegion: 'South India', edgeRttMs: 103, siteRttMs: 143 },
    { customerRegion: 'West India', azureRegion: 'West India', edgeRttMs: 103, siteRttMs: 143 },
    { customerRegion: 'China East', azureRegion: 'China East', edgeRttMs: 120, siteRttMs: 160 },
    { customerRegion: 'China North', azureRegion: 'China North', edgeRttMs: 120, siteRttMs: 160 },
  ].map((r) => Object.freeze(r)),
);

/** Teams CQD: an audio stream is Poor when ANY of these holds (strict ">"). */
export const TEAMS_POOR_AUDIO = Object.freeze({
  /** Audio degradation avg (network MOS degradation), MOS points. */
  degradationMos: 1.0,
  roundTripMs: 500,
  /** Packet loss rate 0.1 (= 10 %). */
  lossPct: 10,
  jitterMs: 30,
  /** Ratio concealed samples avg. */
  concealedRatio: 0.07,
});

/** The targets a test is graded against, with where they came from. */
export interface ResolvedProfile {
  id: ProfileSelection['id'];
  azureRegion: string | null;
  from: 'site' | 'edge' | null;
  label: string;
  source: string;
  targets: TargetThresholds;
}

/** Typed error for a profile selection that names no table row. */
export class ProfileError extends ReasonedError<'unknown-profile' | 'unknown-azure-region' | 'missing-azure-region'> {
  override readonly name = 'ProfileError';
}

const SEED = 'Microsoft, "Media Quality and Network Connectivity Performance in Skype for Business Online"';

/** Find an azure-region row by customer region (the table's first column), case-insensitive. */
function findAzureRegion(name: string): AzureRegionRow | undefined {
  const key = name.trim().toLowerCase();
  return AZURE_REGIONS.find((r) => r.customerRegion.toLowerCase() === key);
}

/**
 * The Azure region a customer region's row is tested against ("Hawaii US" -> "West US"), or null
 * for a name that is no row: where a region leg runs (docs/regions.md).
 */
export function azureRowOf(customerRegion: string): AzureRegionRow | null {
  return findAzureRegion(customerRegion) ?? null;
}

/**
 * Resolve a profile selection to thresholds. For azure-region, `azureRegion` names the
 * customer region row (every Azure region tested against is also a row of its own, so
 * "West Europe" works; "Hawaii US" is the one row tested against another region).
 * `from` defaults to 'site' (a browser test runs from a user's site).
 */
export function resolveProfile(selection: ProfileSelection): ResolvedProfile {
  switch (selection.id) {
    case 'client-to-edge':
      return {
        id: 'client-to-edge',
        azureRegion: null,
        from: null,
        label: 'client to relay edge',
        source: `${SEED}, "Network Performance requirements from a Skype for Business client to Microsoft network Edge"`,
        targets: { ...CLIENT_TO_EDGE },
      };
    case 'edge-to-edge':
      return {
        id: 'edge-to-edge',
        azureRegion: null,
        from: null,
        label: 'network edge to relay edge',
        source: `${SEED}, "Network performance requirements from your network Edge to Microsoft network Edge"`,
        targets: { ...EDGE_TO_EDGE },
      };
    case 'azure-region': {
      if (selection.azureRegion === undefined || selection.azureRegion.trim() === '') {
        throw new ProfileError('missing-azure-region', 'profile azure-region needs an azureRegion (a customer region of the table)');
      }
      const row = findAzureRegion(selection.azureRegion);
      if (row === undefined) {
        throw new ProfileError('unknown-azure-region', `"${selection.azureRegion}" is not a region of the Azure RTT table`);
      }
      const from = selection.from ?? 'site';
      const rttMs = from === 'site' ? row.siteRttMs : row.edgeRttMs;
      const base = from === 'site' ? CLIENT_TO_EDGE : EDGE_TO_EDGE;
      return {
        id: 'azure-region',
        azureRegion: row.customerRegion,
        from,
        label: `Azure ${row.azureRegion} from your ${from === 'site' ? 'site' : 'network edge'} (${row.customerRegion})`,
        source: `${SEED}, "Measuring Network Performance using Azure VMs" (${from === 'site' ? 'Your Site' : 'Your network Edge'} - Azure RTT); loss, burst, jitter and reorder targets of the ${from === 'site' ? 'client-to-edge' : 'edge-to-edge'} profile`,
        targets: { ...base, rttMs, oneWayLatencyMs: rttMs / 2 },
      };
    }
    default: {
      const never: never = selection.id;
      throw new ProfileError('unknown-profile', `unknown profile ${String(never)}`);
    }
  }
}
