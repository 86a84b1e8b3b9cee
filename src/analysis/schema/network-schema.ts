/**
 * The network the user is on (report schema version 3, optional): what the browser says of its
 * connection, and whether the page's web and call traffic left from the same address (a split
 * path: a VPN or proxy carrying one and not the other; ../grade/split-path.ts). Absent when not
 * asked for. No address is kept. Never graded.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Nullable, Obj } from './report-v1-schema.js';

const ConnectionTypeSchema = Type.Union(
  ['bluetooth', 'cellular', 'ethernet', 'none', 'wifi', 'wimax', 'other', 'unknown'].map((t) => Type.Literal(t)),
  { description: 'navigator.connection.type (Chromium on Android and ChromeOS); null: this browser does not tell.' },
);

const EffectiveTypeSchema = Type.Union(
  ['slow-2g', '2g', '3g', '4g'].map((t) => Type.Literal(t)),
  { description: "navigator.connection.effectiveType, the browser's own rough class of the connection (Chromium); null: not told." },
);

export const NetworkSchema = Obj(
  {
    connectionType: Nullable(ConnectionTypeSchema),
    effectiveType: Nullable(EffectiveTypeSchema),
    splitPath: Type.Union([Type.Literal('same'), Type.Literal('split'), Type.Literal('not-compared')], {
      description:
        "same: the relay saw the page's allocation come from the address its web request came from; split: from another (a VPN, a proxy or a second connection carries one and not the other); not-compared: an address was missing or hidden.",
    }),
  },
  'The network the user is on, as far as the browser and the server can tell (docs/read-a-report.md). Never graded.',
);

export type NetworkContext = Static<typeof NetworkSchema>;
