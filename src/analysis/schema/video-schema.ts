/**
 * The report's optional `video` section (schema version 3): how much video went through the
 * relay each way, after the voice probes (never changing their verdict). Present only when the
 * test was asked for video. Units are in field names; percentages are 0..100.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Int, Nullable, Num, Obj } from './report-v1-schema.js';

/** What held a direction's rate where it stopped: the path, the device (its encoder short of CPU), or the test's own cap or length. */
const VideoLimitSchema = Type.Union([Type.Literal('network'), Type.Literal('device'), Type.Literal('test')], {
  description:
    "network: the path held the rate (loss, or the sender's estimate or the reflector's schedule stopped arriving whole); device: the page's encoder was short of CPU; test: the rate still rose, or reached our cap, when the phase ended (a floor).",
});

const VideoDirectionSchema = Obj({
  arrivedKbps: Nullable(Num('The best rate that arrived over any 2 s (header, payload and padding bytes), kbit/s.')),
  cleanKbps: Nullable(
    Num('The best rate over any 2 s in which at most 2 % of the packets were lost, kbit/s: what the path carries nearly whole. What fits is judged by it.'),
  ),
  lossPct: Nullable(Num('Packets lost on the way, by RTP sequence number, of those sent.')),
  worstLossPct: Nullable(Num("The loss's pattern: the worst window's share lost (2 s up, 1 s down), beside lossPct over the whole phase.")),
  sentKbps: Nullable(Num('The best rate the sender sent over any 2 s, kbit/s.')),
  packets: Int('Packets that arrived.'),
  plateauMs: Nullable(Num('When the arriving rate first reached 90 % of its best, ms from the phase start: when it stopped rising.')),
  limitedBy: VideoLimitSchema,
  availableOutgoingKbps: Type.Optional(
    Nullable(Num("Upstream: the browser's own estimate of what it could send at the end (availableOutgoingBitrate), kbit/s.")),
  ),
  frameHeight: Type.Optional(Nullable(Int('Upstream: the height of the frames the encoder sent last, pixels.'))),
});

const VideoUseSchema = Type.Union([
  Type.Literal('audio'),
  Type.Literal('screen-sharing'),
  Type.Literal('video-360p'),
  Type.Literal('video-720p'),
  Type.Literal('video-1080p'),
]);

export const VideoSchema = Obj({
  seconds: Num('How long the phase streamed each way.'),
  upstream: VideoDirectionSchema,
  downstream: VideoDirectionSchema,
  room: Type.Array(VideoUseSchema, { maxItems: 5, description: "What fits through the relay both ways, by Microsoft's per-scenario bitrates." }),
  unknown: Type.Array(VideoUseSchema, {
    maxItems: 5,
    description: 'What the phase could not tell: a direction fell short of it while the device or the test held the rate.',
  }),
});

export type VideoResult = Static<typeof VideoSchema>;
export type VideoDirection = Static<typeof VideoDirectionSchema>;
export type VideoUse = Static<typeof VideoUseSchema>;
export type VideoLimit = Static<typeof VideoLimitSchema>;
