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
  allocateMs: Nullable(
    Num(
      "Time to the edge's relay candidate (Allocate, its challenge, Allocate again), ms: in the first pass when there was one (locate.firstPassMs), else in the locate's own connection.",
    ),
  ),
  rttMsP50: Nullable(Num('Round trip to the edge through its relay, median of the locate probes, ms.')),
  rttMsP90: Nullable(Num('The same, 90th percentile, ms.')),
  lossPct: Nullable(Num('Locate probes that never came back, of those sent early enough to be judged, percent.')),
  probesSent: Int('Locate probes sent through this edge.'),
  firstPassOnly: Type.Optional(
    Type.Boolean({
      description:
        'true: the edge was reached for in the first pass only (a relay candidate gathered, or none within its time), not measured with probes: it was not among the nearest of the first pass, or never answered it. Absent: measured with probes.',
    }),
  ),
});

/** A scheduled sample's site edge (`run --every`): where the site's tests run, kept until another edge is clearly nearer on two samples in a row. */
const SiteEdgeSchema = Obj(
  {
    kept: Nullable(EdgeIdSchema),
    challenger: Nullable(EdgeIdSchema),
    moved: Type.Boolean(),
  },
  "kept: the site's edge before this sample (where its last sample ran), null for its first. challenger: the edge nearer than the site's edge by at least 20 % and 5 ms on this sample (the next sample moves there when it is again), or null. moved: this sample moved the site to the nearest, nearer so on this sample and the last.",
);

/** The test's round trip against the locate's to the edge it ran on: the path changed during the test. */
const PathChangeSchema = Obj(
  {
    rttMsP50: Num("The test's round trip, median, ms."),
    locateRttMsP90: Num("The locate's round trip to the same edge just before, 90th percentile, ms."),
  },
  "Set when the test's round-trip median is over twice the locate's 90th percentile to that edge and 30 ms more: the path changed during the test.",
);

export const LocateSchema = Obj(
  {
    /** The nearest edge: the lowest p50 whose loss is under lossTargetPct, ties by loss; null when none was. */
    nearest: Nullable(EdgeIdSchema),
    lossTargetPct: Num("The loss the nearest must stay under: Microsoft's client-to-edge burst loss target, percent."),
    budgetMs: Num('How long the locate measured every edge at once, at most, ms.'),
    edges: Type.Array(LocatedEdgeSchema, {
      maxItems: 64,
      description: 'Every edge reached for (the first pass, and the probes of the nearest), in the order the hub listed them.',
    }),
    firstPassMs: Type.Optional(
      Num(
        'How long the first pass ran (a relay-candidate gathering per listed edge, all at once, ranked by allocateMs) before the nearest were measured with probes, ms. Absent: no first pass (4 edges or fewer, every one measured).',
      ),
    ),
    family: Type.Optional(
      Nullable(
        Type.Union([Type.Literal('ipv4'), Type.Literal('ipv6')], {
          description:
            "The address family of the relay entry used for every edge: the family of this page's own path to the hub (the address the hub saw). null: the hub did not say, each edge's first UDP entry.",
        }),
      ),
    ),
    tie: Type.Optional(
      Type.Union([EdgeIdSchema, Type.Null()], {
        description:
          'The edge second nearest when it is not 20 % and 5 ms farther than the nearest: a tie, as near as one locate can tell; null: none. Absent from reports before it was written.',
      }),
    ),
    site: Type.Optional(SiteEdgeSchema),
    pathChanged: Type.Optional(PathChangeSchema),
  },
  'The edges measured before the test, and the nearest (docs/read-a-report.md).',
);

export type Locate = Static<typeof LocateSchema>;
export type LocatedEdge = Static<typeof LocatedEdgeSchema>;
export type SiteEdge = Static<typeof SiteEdgeSchema>;
