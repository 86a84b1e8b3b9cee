/**
 * The report's optional `load` section (schema version 3): what a busy line does to a call. It
 * extends version 2's (./load-v2-schema.ts): each direction's attribution, two verdict kinds.
 * Present only when the test was asked to load the line. Every string and array is bounded.
 * Units are in field names; percentages are 0..100.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Int, Nullable, Num, Obj } from './report-v1-schema.js';
import {
  BloatGradeSchema,
  LOAD_DIRECTION_TEXT,
  LOAD_SECTION_TEXT,
  loadDirectionFields,
  loadSectionFields,
  loadVerdictFields,
  LoadTargetSchema,
  Text,
} from './load-v2-schema.js';

export type BloatGrade = Static<typeof BloatGradeSchema>;
export type LoadTarget = Static<typeof LoadTargetSchema>;

const LoadAttributionSchema = Obj(
  {
    who: Type.Union([Type.Literal('network'), Type.Literal('device'), Type.Literal('server')], {
      description: "Whose time the added delay was: the network's only where a clock outside the page's JavaScript showed it.",
    }),
    why: Type.Union(
      [
        Type.Literal('nothing-added'),
        Type.Literal('server-busy'),
        Type.Literal('arrival-gaps'),
        Type.Literal('receive-lag'),
        Type.Literal('rtt-view-rose'),
        Type.Literal('rtt-view-flat'),
        Type.Literal('arrivals-regular'),
        Type.Literal('standing-queue'),
        Type.Literal('receive-time'),
        Type.Literal('page-busy'),
        Type.Literal('no-outside-view'),
      ],
      { description: 'The view that decided it (docs/read-a-report.md, "Network, this device or the server").' },
    ),
    sentence: Text(300, 'The reason in words.'),
    rttViewRiseMs: Type.Optional(Nullable(Num("The largest rise of the network thread's round trip (ICE, RTCP) from before the phase to the working window."))),
    rttViews: Type.Optional(
      Type.Array(
        Obj(
          {
            name: Type.Union([Type.Literal('ICE'), Type.Literal('RTCP')]),
            riseMs: Num('How much the view rose from before the phase to the working window (medians), ms.'),
            loadedReadings: Int("The view's readings in the working window."),
          },
          "One view of the network thread's round trip.",
        ),
        { maxItems: 2, description: "Each round-trip view outside the page's JavaScript that had readings before the phase and in its working window." },
      ),
    ),
    standingMs: Type.Optional(
      Nullable(Num("Up: how much the fastest probe of the server's arrival bins rose from before the phase (median over the window's bins).")),
    ),
    irregularBinShare: Type.Optional(Nullable(Num("Up: the share (0..1) of the server's 200 ms arrival bins with gaps the page's sends had not."))),
    receiveLagMsP50: Type.Optional(Nullable(Num('Down: the median of the worker clock minus receiveTime of the echoes.'))),
    serverMs: Type.Optional(Nullable(Num("The reflector's hold p90 or the server's loop delay median, whichever is larger."))),
    deviceSuspectShare: Type.Optional(Num("The share (0..1) of the window's probes sent while this device was busy (suspect).")),
    excused: Type.Optional(
      Obj(
        {
          by: Type.Union([Type.Literal('server'), Type.Literal('device')]),
          ms: Num("The most of the added delay that the server's or this device's own measured lateness explains: twice it plus 10 ms."),
        },
        "The excuse by size: where the server's or this device's own lateness was measured, how much of the added delay it explains at most; the rest is the line's where a view of the line shows it. Absent where none was measured.",
      ),
    ),
  },
  "Whose time a loaded direction's added delay was, and the view that decided it.",
);

const LoadDirectionSchema = Obj(
  {
    ...loadDirectionFields,
    attribution: Type.Optional(LoadAttributionSchema),
    addedDelayCapped: Type.Optional(
      Type.Boolean({
        description:
          "The added delay (p50 or p90) came out above the loaded round trip's rise over the same probes (a transit's window placed by an estimated clock offset) and was cut to it: one direction cannot add more than the whole round trip grew.",
      }),
    ),
  },
  LOAD_DIRECTION_TEXT,
);
export type LoadDirectionReport = Static<typeof LoadDirectionSchema>;

const LoadVerdictSchema = Obj({
  kind: Type.Union(
    [Type.Literal('suffers'), Type.Literal('no-effect'), Type.Literal('could-not-load'), Type.Literal('device-busy'), Type.Literal('server-busy')],
    {
      description:
        "device-busy / server-busy: the load added delay, but only this device's clock or the server's own time shows it; never the line's (unlike outcome.reason device-busy: no gradable evidence at all).",
    },
  ),
  ...loadVerdictFields,
});
export type LoadVerdict = Static<typeof LoadVerdictSchema>;

export const LoadSchema = Obj(loadSectionFields(LoadDirectionSchema, LoadVerdictSchema), LOAD_SECTION_TEXT);
export type LoadReport = Static<typeof LoadSchema>;
