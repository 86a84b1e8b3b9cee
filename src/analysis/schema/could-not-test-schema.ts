/**
 * A test that could not run but reached the server: what failed, when, and the
 * settings it ran with. Stored and shared like a report (POST /api/results), one CSV row in
 * the export. `meta` carries what is known (site, ticket, server, browser...); other keys are
 * kept when their values are plain (text, number, boolean, null), so an anonymous upload
 * cannot nest without bound.
 */
import { type Static, Type } from '@sinclair/typebox';
import { SIDES } from '../../protocol/could-not-finish.js';

const NullableText = (maxLength: number, description: string) => Type.Union([Type.String({ maxLength }), Type.Null()], { description });

const CouldNotTestMetaSchema = Type.Object(
  {
    site: Type.Optional(NullableText(128, 'As meta.site of a report: accepted only from the operator.')),
    ticket: Type.Optional(NullableText(128, 'As meta.ticket of a report.')),
    startedAt: Type.Optional(Type.String({ maxLength: 64, description: 'ISO 8601 UTC, when the test began.' })),
    callprobeVersion: Type.Optional(Type.String({ maxLength: 64 })),
    browser: Type.Optional(Type.String({ maxLength: 1024, description: 'A user agent or "Chromium <version>".' })),
    server: Type.Optional(Type.String({ maxLength: 2048 })),
    profile: Type.Optional(
      Type.Object(
        {
          id: Type.String({ maxLength: 64 }),
          azureRegion: Type.Optional(NullableText(128, 'With the azure-region profile.')),
          from: Type.Optional(NullableText(16, 'site or edge.')),
        },
        { additionalProperties: false, description: 'The targets the test was to be graded against (to run it again).' },
      ),
    ),
  },
  { additionalProperties: Type.Union([Type.String({ maxLength: 2048 }), Type.Number(), Type.Boolean(), Type.Null()]) },
);

export const CouldNotTestSchema = Type.Object(
  {
    kind: Type.Literal('could-not-test'),
    reason: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[a-z0-9][a-z0-9-]*$',
      description: 'A machine code, e.g. "no-relay", "connect-timeout" (the headless contract\'s reasons).',
    }),
    message: Type.String({ maxLength: 4096, description: 'What failed, in one or a few plain sentences.' }),
    side: Type.Optional(
      Type.Union(
        SIDES.map((s) => Type.Literal(s)),
        {
          description:
            "Whose side the reason points to (src/protocol/could-not-finish.ts): network, server, browser, link, network-or-server or unknown. Absent in records stored before it: then the reason's own side.",
        },
      ),
    ),
    atMs: Type.Integer({ minimum: 0, description: 'When it failed, ms since the Unix epoch.' }),
    meta: CouldNotTestMetaSchema,
  },
  { additionalProperties: false },
);

export type CouldNotTest = Static<typeof CouldNotTestSchema>;
