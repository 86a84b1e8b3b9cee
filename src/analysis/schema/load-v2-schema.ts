/**
 * The report's optional `load` section as schema version 2 wrote it, frozen so stored version-2
 * reports stay readable (the current one, ./load-schema.ts, extends its parts): what a busy line does to a call.
 * Present only when the test was asked to load the line. Every string and array is bounded.
 * Units are in field names; percentages are 0..100.
 */
import { type TSchema, Type } from '@sinclair/typebox';
import { Int, Nullable, Num, Obj } from './report-v1-schema.js';

export const Text = (maxLength: number, description?: string) => Type.String({ maxLength, ...(description === undefined ? {} : { description }) });
/** A figure of the working window, null when the window gave none. */
const Figure = (description: string) => Nullable(Num(description));

export const BloatGradeSchema = Type.Union(
  ['A+', 'A', 'B', 'C', 'D', 'F'].map((g) => Type.Literal(g)),
  {
    description: 'Bufferbloat grade of the added delay (DSLReports "Bufferbloat Grades": A+ < 5 ms, A < 30, B < 60, C < 200, D < 400, F >= 400).',
  },
);

export const LoadTargetSchema = Obj({
  target: Type.Union([Type.Literal('latency-rtt'), Type.Literal('loss-15s'), Type.Literal('burst-loss-200ms'), Type.Literal('jitter-15s')]),
  label: Text(80),
  value: Nullable(Num()),
  unit: Type.Union([Type.Literal('ms'), Type.Literal('%')]),
  threshold: Num(),
  status: Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('insufficient')]),
});

/** One loaded direction's fields (version 3 adds its attribution). */
export const loadDirectionFields = {
  goodputMbps: Figure("Goodput over the working window, Mbit/s (10^6 bits/s), from the flows' progress."),
  bytes: Int('Bytes the flows moved in this direction.'),
  saturated: Type.Boolean({ description: 'The stop rule found goodput and probe delay both stable before the time cap or the byte budget.' }),
  stop: Type.Union([Type.Literal('stable'), Type.Literal('time-cap'), Type.Literal('budget'), Type.Literal('failed'), Type.Literal('cancelled')]),
  durationMs: Num('How long this direction was loaded.'),
  windowMs: Obj({ fromMs: Num(), toMs: Num() }, 'The working window the figures are taken over, ms from the start of the phase.'),
  addedDelayMs: Figure("Loaded p50 of the probes' relative transit in this direction minus the idle p50 (RFC 3550 transit: no clock sync)."),
  addedDelayMsP90: Figure('Loaded p90 of the same transit minus the idle p50.'),
  idleRttMs: Figure('Round trip p50 of the idle window.'),
  loadedRttMs: Figure('Round trip p50 over the working window.'),
  jitterMs: Figure("Mean RFC 3550 jitter of this direction's probes over the working window."),
  lossPct: Figure('Probes of this direction lost over the working window.'),
  burstLossPctMax200ms: Figure('Worst 200 ms window of the working window.'),
  probes: Obj({ sent: Int(), received: Int(), suspect: Int('Sent inside suspect intervals (left out of every figure).') }),
  targets: Type.Array(LoadTargetSchema, { maxItems: 4, description: "The profile's targets, judged over the working window." }),
  grade: Nullable(BloatGradeSchema),
  flows: Int(),
  errors: Type.Array(Text(300), { maxItems: 4 }),
};
export const LOAD_DIRECTION_TEXT = 'One loaded direction: uploads load the way out (up), downloads the way in (down).';
const LoadDirectionSchema = Obj(loadDirectionFields, LOAD_DIRECTION_TEXT);

/** The verdict's fields after its kind (version 3 adds kinds). */
export const loadVerdictFields = {
  text: Text(400, 'The plain sentence.'),
  /** The directions that harm a call, worst first. */
  directions: Type.Array(Type.Union([Type.Literal('up'), Type.Literal('down')]), { maxItems: 2 }),
};
const LoadVerdictSchema = Obj({
  kind: Type.Union([Type.Literal('suffers'), Type.Literal('no-effect'), Type.Literal('could-not-load')]),
  ...loadVerdictFields,
});

const LoadCapacityItemSchema = Obj({
  use: Type.Union([Type.Literal('audio'), Type.Literal('video'), Type.Literal('screen-sharing')]),
  label: Text(80),
  upKbps: Num("Microsoft's recommended bitrate for a one-to-one call, kbit/s up."),
  downKbps: Num(),
  room: Type.Union([Type.Literal('yes'), Type.Literal('no'), Type.Literal('unknown')]),
});

const LoadCapacitySchema = Obj({
  items: Type.Array(LoadCapacityItemSchema, { maxItems: 3 }),
  sentence: Text(400),
  source: Text(300),
});

/** The section's fields around its directions and verdict, whichever version they are. */
export const loadSectionFields = <D extends TSchema, V extends TSchema>(direction: D, verdict: V) => ({
  budgetBytesPerDirection: Int('The most bytes the phase could move in each direction, shown before it started.'),
  startedAt: Nullable(Text(40, 'When the phase started, ISO 8601 UTC; windowMs are counted from here.')),
  bytes: Int('Bytes the phase moved, both directions.'),
  durationMs: Num(),
  up: Nullable(direction),
  down: Nullable(direction),
  verdict: Type.Optional(verdict),
  outcome: Type.Optional(
    Obj({
      reason: Type.Union([
        Type.Literal('not-offered'),
        Type.Literal('refused'),
        Type.Literal('server-gone'),
        Type.Literal('device-busy'),
        Type.Literal('not-run'),
      ]),
      detail: Text(400),
      sentence: Text(400),
    }),
  ),
  capacity: Nullable(LoadCapacitySchema),
  gradeSource: Text(300),
  method: Text(600),
});
export const LOAD_SECTION_TEXT =
  'The busy-line phase: probes kept running while the line was loaded, uploads then downloads. Either `verdict` or `outcome` (refused or could not run), never both.';

export const LoadV2Schema = Obj(loadSectionFields(LoadDirectionSchema, LoadVerdictSchema), LOAD_SECTION_TEXT);
