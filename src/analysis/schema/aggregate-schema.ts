/**
 * The P90 aggregate report (many tests of one site), as a TypeBox schema. Like schema.ts,
 * browser code imports only its types.
 */
import { type Static, Type } from '@sinclair/typebox';
import { GradeDirectionSchema, ProfileIdSchema, StatusSchema, TargetIdSchema, VerdictSchema } from './report-schema.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const closed = { additionalProperties: false } as const;

const AggregateEntrySchema = Type.Object(
  {
    target: TargetIdSchema,
    label: Type.String(),
    direction: GradeDirectionSchema,
    statistic: Type.String({ description: "e.g. 'P90 over tests of: p50 of round trip'." }),
    unit: Type.Union([Type.Literal('ms'), Type.Literal('%')]),
    threshold: Type.Number(),
    comparator: Type.Literal('<'),
    testsGraded: Type.Integer({ minimum: 0 }),
    testsInsufficient: Type.Integer({ minimum: 0 }),
    p90: Nullable(Type.Number()),
    /** The per-test value at the P90 rank came from this test (ISO start time). */
    p90StartedAt: Nullable(Type.String()),
    status: StatusSchema,
    /** Set when the P90 fails from fewer tests than a pass needs (src/analysis/site/site.ts p90Grade). */
    earlyFail: Nullable(
      Type.Object(
        {
          samples: Type.Integer({ minimum: 0 }),
          missed: Type.Integer({ minimum: 0 }),
          lowerRank: Type.Integer({ minimum: 1 }),
          lower: Nullable(Type.Number()),
          level: Type.Number(),
          minSamples: Type.Integer({ minimum: 1 }),
        },
        closed,
      ),
    ),
    sentence: Type.String(),
  },
  closed,
);

export const AggregateReportSchema = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    kind: Type.Literal('aggregate-p90'),
    profile: Nullable(
      Type.Object(
        {
          id: ProfileIdSchema,
          azureRegion: Nullable(Type.String()),
          from: Nullable(Type.Union([Type.Literal('site'), Type.Literal('edge')])),
          label: Type.String(),
        },
        closed,
      ),
    ),
    tests: Type.Integer({ minimum: 0 }),
    firstStartedAt: Nullable(Type.String()),
    lastStartedAt: Nullable(Type.String()),
    spanDays: Nullable(Type.Number()),
    testVerdicts: Type.Object(
      {
        pass: Type.Integer({ minimum: 0 }),
        fail: Type.Integer({ minimum: 0 }),
        insufficient: Type.Integer({ minimum: 0 }),
      },
      closed,
    ),
    entries: Type.Array(AggregateEntrySchema),
    verdict: VerdictSchema,
    explanation: Type.Array(Type.String()),
  },
  { ...closed, description: 'callprobe P90 aggregate over many tests, schema version 1.' },
);

export type AggregateEntry = Static<typeof AggregateEntrySchema>;
export type AggregateReport = Static<typeof AggregateReportSchema>;
