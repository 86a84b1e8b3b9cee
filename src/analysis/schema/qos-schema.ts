/**
 * Whether the test's QoS marks survived, each way (report schema version 3, optional): the page
 * asks its browser to mark its RTP stream EF (DSCP 46), as Teams marks its audio where QoS is
 * configured (Microsoft's "Implement Quality of Service in Microsoft Teams": audio EF, video AF41,
 * screen sharing AF21), and the server's relay marks its echoes EF. Upstream, the relay reads the
 * DSCP each packet reached it with; downstream, a browser cannot read what arrives, and only
 * `callprobe run --qos` (as root on Linux) counts it. Absent when the test did not run on the
 * RTP stream (or before this section existed). A fact with advice, never graded
 * (../grade/qos.ts).
 */
import { type Static, Type } from '@sinclair/typebox';
import { Nullable, Obj } from './report-v1-schema.js';

/**
 * `kept`: most packets arrived with the mark sent (EF); `remarked`: most arrived with another
 * mark; `cleared`: most arrived with none (DSCP 0); `not-marked`: this side did not mark (a
 * browser without `networkPriority`, a server that cannot); `not-measured`: nobody could read
 * what arrived.
 */
const QosStateSchema = Type.Union(
  [Type.Literal('kept'), Type.Literal('remarked'), Type.Literal('cleared'), Type.Literal('not-marked'), Type.Literal('not-measured')],
  { description: 'What became of the mark: kept, remarked (another mark), cleared (none), not-marked (this side did not mark), not-measured.' },
);

/** Why a direction was not marked or not measured. */
const QosReasonSchema = Type.Union(
  [
    Type.Literal('browser-cannot-mark'),
    Type.Literal('server-cannot-mark'),
    Type.Literal('server-cannot-read'),
    Type.Literal('browser-cannot-read'),
    Type.Literal('needs-linux-root'),
    Type.Literal('counter-failed'),
    Type.Literal('nothing-counted'),
  ],
  {
    description:
      'browser-cannot-mark: the browser has no networkPriority (Firefox, Safari); server-cannot-mark / server-cannot-read: the server runs without its native sockets (the portable data path) or the test went over TCP or TLS; browser-cannot-read: a page cannot read what arrives; needs-linux-root: callprobe run --qos counts arrivals only as root on Linux; counter-failed: its nftables counter could not be set up or read; nothing-counted: no datagram of the test came back over UDP.',
  },
);

/** Packets by DSCP 0-63 (the key, in decimal), the values seen only. */
const DscpCountsSchema = Type.Record(Type.String({ pattern: '^(?:[0-9]|[1-5][0-9]|6[0-3])$' }), Type.Integer({ minimum: 0 }), {
  additionalProperties: false,
  description: 'Packets by the DSCP they arrived with (46 EF, 34 AF41, 18 AF21, 0 none).',
});

const QosDirectionSchema = Obj(
  {
    state: QosStateSchema,
    counts: Nullable(DscpCountsSchema),
    reason: Type.Optional(QosReasonSchema),
  },
  'One direction: what became of the mark, the packets by the DSCP they arrived with (null: not read), and why it was not marked or not measured.',
);

export const QosSchema = Obj(
  {
    upstream: QosDirectionSchema,
    downstream: QosDirectionSchema,
  },
  "Whether the test's QoS mark (EF, as Teams marks its audio) survived each way (docs/read-a-report.md). Never graded.",
);

export type Qos = Static<typeof QosSchema>;
export type QosDirection = Static<typeof QosDirectionSchema>;
export type QosState = Static<typeof QosStateSchema>;
export type QosReason = Static<typeof QosReasonSchema>;
