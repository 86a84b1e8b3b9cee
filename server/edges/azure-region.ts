/**
 * Where an edge stands: a value of the Azure table's region column (src/analysis/grade/targets.ts,
 * Microsoft's "Measuring Network Performance using Azure VMs"), so a report's edge names a region
 * the table grades against. Read by `serve --azure-region` and by the hub from every beat.
 */
import { AZURE_REGIONS } from '../../src/analysis/grade/targets.js';
import { ConfigError } from '../../src/protocol/config-error.js';

/** The region column's values, each once, in the table's order. */
const AZURE_REGION_NAMES: readonly string[] = [...new Set(AZURE_REGIONS.map((r) => r.azureRegion))];

/** The region as the table spells it, or null when `name` is none of them (case and outer spaces aside). */
export function azureRegionOrNull(name: string): string | null {
  const key = name.trim().toLowerCase();
  return AZURE_REGION_NAMES.find((r) => r.toLowerCase() === key) ?? null;
}

/** `--azure-region`: the region as the table spells it; throws ConfigError naming the values it takes. */
export function parseAzureRegion(name: string): string {
  const region = azureRegionOrNull(name);
  if (region === null)
    throw new ConfigError('bad-value', `--azure-region "${name}" is not a region of the Azure table; one of: ${AZURE_REGION_NAMES.join(', ')}`);
  return region;
}
