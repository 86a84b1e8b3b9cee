/**
 * What a report says of its edges (report schema version 3, optional): `meta.edge`, the edge the
 * test ran on, and `locate`, every edge the page measured before the test and the nearest of
 * them (../grade/locate.ts). Absent from a test of an all-in-one server or of a hub with one
 * edge (no locate step).
 */
import { type Static, Type } from '@sinclair/typebox';
import { BOUNDS } from '../../protocol/defaults.js';
import { EDGE_ID_PATTERN } from '../../protocol/edge-id.js';
import { Int, Nullable, Num, Obj } from './report-v1-schema.js';

const EdgeIdSchema = Type.String({ maxLength: BOUNDS.edgeIdChars, pattern: EDGE_ID_PATTERN, description: "The edge's id at its hub (serve --edge-id)." });
const AzureRegionSchema = Type.String({
  maxLength: BOUNDS.azureRegionChars,
  description: "Where the edge stands: a value of the Azure table's region column.",
});

/** meta.edge: the edge the test ran on. */
export const EdgeIdentitySchema = Obj({ id: EdgeIdSchema, azureRegion: AzureRegionSchema }, 'The edge of the hub this test ran on.');

const LocatedEdgeSchema = Obj({
  id: EdgeIdSchema,
  azureRegion: AzureRegionSchema,
  state: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')], {
    description: '`unreachable`: no round trip came back within the locate (or the test could not start there): never a network fail.',
  }),
  allocateMs: Nullable(Num("Time to the edge's relay candidate (Allocate, its challenge, Allocate again), ms.")),
  rttMsP50: Nullable(Num('Round trip to the edge through its relay, median of the locate probes, ms.')),
  rttMsP90: Nullable(Num('The same, 90th percentile, ms.')),
  lossPct: Nullable(Num('Locate probes that never came back, of those sent early enough to be judged, percent.')),
  probesSent: Int('Locate probes sent through this edge.'),
});

export const LocateSchema = Obj(
  {
    /** The nearest edge: the lowest p50 whose loss is under lossTargetPct, ties by loss; null when none was. */
    nearest: Nullable(EdgeIdSchema),
    lossTargetPct: Num("The loss the nearest must stay under: Microsoft's client-to-edge burst loss target, percent."),
    budgetMs: Num('How long the locate measured every edge at once, at most, ms.'),
    edges: Type.Array(LocatedEdgeSchema, { maxItems: 64, description: 'Every edge measured, in the order the hub listed them.' }),
  },
  'The edges measured before the test, and the nearest (docs/read-a-report.md).',
);

export type Locate = Static<typeof LocateSchema>;
export type LocatedEdge = Static<typeof LocatedEdgeSchema>;
