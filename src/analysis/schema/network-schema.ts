/**
 * The network the user is on (report schema version 3, optional): what the browser says of its
 * connection, and whether the page's web and call traffic left from the same address (a split
 * path: a VPN or proxy carrying one and not the other; ../grade/split-path.ts). Absent when not
 * asked for. No address is kept. Never graded.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Int, Nullable, Num, Obj } from './report-v1-schema.js';

const ConnectionTypeSchema = Type.Union(
  ['bluetooth', 'cellular', 'ethernet', 'none', 'wifi', 'wimax', 'other', 'unknown'].map((t) => Type.Literal(t)),
  { description: 'navigator.connection.type (Chromium on Android and ChromeOS); null: this browser does not tell.' },
);

const EffectiveTypeSchema = Type.Union(
  ['slow-2g', '2g', '3g', '4g'].map((t) => Type.Literal(t)),
  { description: "navigator.connection.effectiveType, the browser's own rough class of the connection (Chromium); null: not told." },
);

const FamilySchema = Obj(
  {
    state: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')], {
      description: 'ok: round trips came back over this family; unreachable: none within the budget (no such address here, or it is blocked).',
    }),
    rttMsP50: Nullable(Num('Median round trip to the relay over this family, ms (null: none came back).')),
    rttMsP90: Nullable(Num('90th percentile round trip, ms.')),
    lossPct: Nullable(Num('Of the probes judged, those that never came back, percent (null: none judged).')),
    probesSent: Int('Probes sent over this family.'),
    probesJudged: Int('Probes that came back or were overdue by the end.'),
  },
  "One address family's round trips to the relay: a relay hairpin through its entry of that family, probes timed on the page's one clock.",
);

const FamiliesSchema = Obj(
  {
    ipv4: FamilySchema,
    ipv6: FamilySchema,
    worse: Nullable(
      Type.Union([Type.Literal('ipv4'), Type.Literal('ipv6')], {
        description:
          "The family much worse than the other (docs/read-a-report.md: a median round trip at least 20 ms longer and 1.25 times the other's, or loss at least 6 percentage points higher); null: neither, or one did not reach the relay.",
      }),
    ),
  },
  'IPv4 and IPv6 each measured to the relay at once, when the server offers both (absent otherwise). Never graded.',
);

export const NetworkSchema = Obj(
  {
    connectionType: Nullable(ConnectionTypeSchema),
    effectiveType: Nullable(EffectiveTypeSchema),
    splitPath: Type.Union([Type.Literal('same'), Type.Literal('split'), Type.Literal('not-compared')], {
      description:
        "same: the relay saw the page's allocation come from the address its web request came from; split: from another (a VPN, a proxy or a second connection carries one and not the other); not-compared: an address was missing or hidden.",
    }),
    families: Type.Optional(FamiliesSchema),
  },
  'The network the user is on, as far as the browser and the server can tell (docs/read-a-report.md). Never graded.',
);

export type NetworkContext = Static<typeof NetworkSchema>;
export type FamilyFigures = Static<typeof FamilySchema>;
export type Families = Static<typeof FamiliesSchema>;
