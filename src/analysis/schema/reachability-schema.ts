/**
 * What a report says of the media relays an operator listed (`run --teams-reachability FILE`, or
 * `serve --teams-reachability FILE` for the page; report schema version 3, optional): per target and port, whether it answered and how fast.
 * Absent when no list was given. Reachability only: never graded, never the verdict.
 */
import { type Static, Type } from '@sinclair/typebox';
import { BOUNDS } from '../../protocol/defaults.js';
import { Nullable, Num, Obj } from './report-v1-schema.js';

const AnswerSchema = Obj({
  url: Type.String({
    maxLength: 300,
    description: 'The target as a STUN/TURN URI: stun:host:3478, turn:host:443?transport=tcp, turns:host:443?transport=tcp.',
  }),
  transport: Type.Union([Type.Literal('udp'), Type.Literal('tcp'), Type.Literal('tls')]),
  port: Type.Integer({ minimum: BOUNDS.port.min, maximum: BOUNDS.port.max }),
  answer: Type.Union(
    [
      Type.Literal('reflexive'),
      Type.Literal('challenge'),
      Type.Literal('answered'),
      Type.Literal('blocked'),
      Type.Literal('refused'),
      Type.Literal('unresolved'),
      Type.Literal('failed'),
    ],
    {
      description:
        'reflexive (STUN gave the reflexive address), challenge (TURN answered 401: open), answered (another STUN answer: open), blocked (no answer in time), refused (closed or refused), unresolved (the name did not resolve), failed (the connection broke, e.g. TLS).',
    },
  ),
  ms: Nullable(Num('From the first request to its answer, ms (null: no answer).')),
  msUntil: Type.Optional(
    Type.Literal('gathering-end', {
      description:
        "The browser answered without showing the reflexive address (it equals this device's own, which Chromium does not repeat as a candidate): ms is until its gathering ended, an upper bound. Absent: until the answer itself.",
    }),
  ),
});

export const ReachabilitySchema = Obj(
  {
    timeoutMs: Num('How long each port had to answer, ms.'),
    triedBy: Type.Optional(
      Type.Literal('page', {
        description:
          "page: the test page tried each port with the browser's own gathering (serve --teams-reachability); its times include the browser's gathering schedule and, over TCP and TLS, its second request. Absent: the command line tried them (run --teams-reachability).",
      }),
    ),
    answers: Type.Array(AnswerSchema, { maxItems: BOUNDS.teamsReachability.probes, description: 'One per target and port, in the order of the list.' }),
  },
  'Whether the media relays the operator listed answer on their ports (docs/read-a-report.md): reachability, not call quality. Never graded.',
);

export type Reachability = Static<typeof ReachabilitySchema>;
