// Placeholder until the grading branch lands: the names will come from src/grade/targets.ts.
export const AZURE_REGION_NAMES = ['West Europe', 'North Europe', 'East US'];
