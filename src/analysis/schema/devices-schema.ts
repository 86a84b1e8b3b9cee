/**
 * What a report says of the user's own devices (report schema version 3, optional): the
 * microphone, the speaker and the camera as the device check found them, and the echo test. Absent when no check
 * ran. Never graded: it changes neither `summary.verdict` nor an exit code. It keeps states and
 * figures only: no recording, no device label, nothing that names the person beyond the kind
 * of device.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Int, Nullable, Num, Obj } from './report-v1-schema.js';

const Dbfs = (description: string) => Nullable(Type.Number({ minimum: -200, maximum: 0, description }));

const MicStateSchema = Type.Union(
  [
    Type.Literal('ok'),
    Type.Literal('silent'),
    Type.Literal('too-quiet'),
    Type.Literal('clipping'),
    Type.Literal('denied'),
    Type.Literal('absent'),
    Type.Literal('in-use'),
    Type.Literal('not-read'),
  ],
  {
    description:
      'ok, silent (no signal above the floor), too-quiet, clipping, denied (not allowed), absent (none found), in-use (held by another app), not-read (the browser let the page read no level, or failed for a reason it did not name: never judged as the microphone’s fault).',
  },
);

const MicrophoneSchema = Obj(
  {
    state: MicStateSchema,
    seconds: Num('How long the level was read, s (0 when no microphone was given).'),
    loudestRmsDbfs: Dbfs("The loudest 50 ms frame's RMS level, dBFS (null: digital silence or nothing read)."),
    peakDbfs: Dbfs('The loudest sample, dBFS (null: digital silence or nothing read).'),
    clippedPct: Nullable(Type.Number({ minimum: 0, maximum: 100, description: 'Frames that reached the ceiling (-0.1 dBFS), percent.' })),
  },
  'The microphone: its level over the check and what that means.',
);

const SpeakerSchema = Obj(
  {
    state: Type.Union([Type.Literal('played'), Type.Literal('failed'), Type.Literal('absent')], {
      description: 'played (the test tone played), failed (it could not play), absent (no output found).',
    }),
    chosenOutput: Type.Boolean({ description: 'Whether the tone went to an output chosen on the page (setSinkId), not the default one.' }),
    heard: Type.Union([Type.Literal('yes'), Type.Literal('no'), Type.Literal('not-asked')], {
      description: "The answer to 'Did you hear it?' (not-asked: no one answered).",
    }),
  },
  'The speaker: a short tone played, and whether the user heard it.',
);

const VideoSizeSchema = Obj({
  width: Num('Pixels.'),
  height: Num('Pixels.'),
  frameRate: Num('Frames per second.'),
});

const CameraSchema = Obj(
  {
    state: Type.Union([Type.Literal('ok'), Type.Literal('in-use'), Type.Literal('denied'), Type.Literal('absent'), Type.Literal('failed')], {
      description: 'ok, in-use (held by another app), denied (not allowed), absent (none found), failed (the camera gave no picture).',
    }),
    asked: VideoSizeSchema,
    delivered: Nullable(VideoSizeSchema),
    frameRateSource: Nullable(
      Type.Union([Type.Literal('counted'), Type.Literal('settings')], {
        description: "counted: frames counted over the preview; settings: the rate the browser's track settings state.",
      }),
    ),
  },
  'The camera: what was asked for and what it delivered.',
);

const EchoCutSchema = Obj({
  atMs: Num('Where the cut starts, ms from the first frame sent.'),
  ms: Num('How much of the voice it cut, ms.'),
  why: Type.Union([Type.Literal('lost'), Type.Literal('late')], {
    description: 'lost: a frame of it never came back; late: every frame came back, later than lateMs after the fastest.',
  }),
});

const EchoSchema = Obj(
  {
    state: Type.Union([Type.Literal('ok'), Type.Literal('cut'), Type.Literal('no-audio-back'), Type.Literal('failed'), Type.Literal('skipped')], {
      description:
        'ok (the voice came back whole), cut (lost or late frames cut it), no-audio-back (frames went, none came back), failed (the test could not run: the microphone, the browser or the test server, never the network’s verdict), skipped (this browser or server cannot run it, or the unattended check’s microphone gave no sound to send).',
    }),
    seconds: Num('How long the microphone was sent, s (0 when it was not).'),
    framesSent: Int('Audio frames sent through the relay.'),
    framesBack: Int('Frames that came back, late ones included.'),
    lostPct: Type.Number({ minimum: 0, maximum: 100, description: 'Frames that never came back, percent of those sent.' }),
    latePct: Type.Number({ minimum: 0, maximum: 100, description: 'Frames back more than lateMs after the fastest round trip, percent of those sent.' }),
    lateMs: Num('A frame this much later than the fastest round trip is late (played as a gap), ms.'),
    cuts: Type.Array(EchoCutSchema, { maxItems: 64, description: 'Where lost or late frames cut the voice, on the test’s timeline.' }),
  },
  'The echo test: the microphone sent through the relay as a call’s audio and echoed back. Nothing of the recording is kept.',
);

export const DevicesSchema = Obj(
  {
    unattended: Type.Boolean({
      description: 'The check ran with no one at the page (callprobe run --devices, with the browser’s fake devices): nothing was asked.',
    }),
    microphone: Nullable(MicrophoneSchema),
    speaker: Nullable(SpeakerSchema),
    camera: Nullable(CameraSchema),
    echo: Type.Optional(Nullable(EchoSchema)),
  },
  'The user’s own microphone, speaker and camera, as the device check found them (docs/read-a-report.md). Never graded.',
);

export type Devices = Static<typeof DevicesSchema>;
export type MicrophoneCheck = Static<typeof MicrophoneSchema>;
export type SpeakerCheck = Static<typeof SpeakerSchema>;
export type CameraCheck = Static<typeof CameraSchema>;
export type EchoCheck = Static<typeof EchoSchema>;
