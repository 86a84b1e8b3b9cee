import { AZURE_REGIONS } from '../analysis/grade/targets.js';

/** Customer regions of the Azure RTT table, for the form's region list. */
export const AZURE_REGION_NAMES: readonly string[] = AZURE_REGIONS.map((r) => r.customerRegion);
