/**
 * What every request of the HTTP contract may carry: the query string, path parameters and
 * body of each route, as TypeBox schemas (JSON Schema at run time, the request types by
 * `Static`). The server checks each request against them before its handler runs; a request
 * that does not match is refused with 400 and the `refusal` of the part that failed (a reason
 * and one sentence, `{name}` standing for the parameter's name), else `bad-request`. A query
 * parameter given twice is refused as `bad-query`. What a shape cannot say (a time zone the
 * runtime knows, an ISO date that exists, a result code's checksum) the handler checks.
 *
 * Only the types are for the page (`import type`); the schemas stay on the server.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { BOUNDS } from './defaults.js';

/** The answer to a request part that does not match its schema: 400 with this reason and message. */
export interface SchemaRefusal {
  reason: string;
  /** One sentence; `{name}` is replaced by the parameter's name. */
  message: string;
}

/** The schema option that names a part's refusal. */
const refused = (reason: string, message: string): { refusal: SchemaRefusal } => ({ refusal: { reason, message } });

/** The refusal a schema names, or null. */
export function refusalOf(schema: TSchema): SchemaRefusal | null {
  const r = (schema as { refusal?: SchemaRefusal }).refusal;
  return r !== undefined && typeof r.reason === 'string' && typeof r.message === 'string' ? r : null;
}

/** A query parameter: text of at most `maxLength` characters, given at most once; '' counts as absent. */
const Text = (reason: string, message: string, maxLength: number) => Type.Optional(Type.String({ maxLength, ...refused(reason, message) }));

/** `?lang=`: a BCP 47 tag (RFC 5646); one we do not ship falls back to Accept-Language, then English (src/protocol/lang.ts). */
const ReaderLang = Text('bad-lang', 'lang is a language tag such as de or zh-Hans, at most 35 characters', 35);

/** Any other query parameter: ignored, but given at most once like the rest, and bounded like every text a request carries. */
const OtherParams = {
  additionalProperties: Type.String({
    maxLength: BOUNDS.queryValueChars,
    ...refused('bad-query', `a query parameter is at most ${BOUNDS.queryValueChars} characters`),
  }),
};

/** One of some words, or '' (absent). */
const OneOf = <const W extends string>(words: readonly W[], reason: string, message: string) =>
  Type.Optional(Type.Union([Type.Literal(''), ...words.map((w) => Type.Literal(w))], refused(reason, message)));

/** ?since=: a span back from now (7d, 36h, 90m) or an ISO 8601 time or date (checked by the handler). */
const Since = Text('bad-since', 'since is a span like 7d, or ISO 8601 UTC, e.g. 2026-01-31 or 2026-01-31T08:00:00Z', 64);

/** ?tz=: an IANA time zone name (that the runtime knows it, the handler checks). */
const TimeZone = Text('bad-tz', `tz is an IANA time zone name such as Europe/Paris, at most ${BOUNDS.timeZoneChars} characters`, BOUNDS.timeZoneChars);

// --- results ---

/**
 * POST /api/results: a report (any schema version) or a could-not-test record, as the
 * analysis's schemas say (src/analysis/schema/), plus the client-made `sampleId` that makes a
 * retry store it once. Only its outline is checked here, so the body is stored as sent.
 */
export const ResultUploadBody = Type.Object(
  {
    sampleId: Type.Optional(
      Type.String({
        minLength: BOUNDS.sampleIdChars.min,
        maxLength: BOUNDS.sampleIdChars.max,
        pattern: '^[A-Za-z0-9._-]+$',
        ...refused('bad-sample-id', `sampleId must be ${BOUNDS.sampleIdChars.min}..${BOUNDS.sampleIdChars.max} of A-Z a-z 0-9 . _ - (e.g. a UUID)`),
      }),
    ),
  },
  { additionalProperties: true, ...refused('not-an-object', 'a report is a JSON object') },
);

/** /api/r/:code and /r/:code: a result code as a user typed it (any case, with or without the hyphen). */
export const ResultCodeParams = Type.Object(
  { code: Type.String({ maxLength: BOUNDS.resultRefChars, ...refused('unknown-code', 'no result has this code') }) },
  { additionalProperties: false },
);

/** /api/results/:id and /api/console/results/:id: a result's id, or the code a user read out. */
export const ResultIdParams = Type.Object(
  { id: Type.String({ maxLength: BOUNDS.resultRefChars, ...refused('unknown-id', 'no result has this id or code') }) },
  { additionalProperties: false },
);

/** GET /api/results (operator): the export. */
export const ExportQuery = Type.Object(
  {
    since: Text('bad-since', 'since must be ISO 8601 UTC, e.g. 2026-01-31 or 2026-01-31T08:00:00Z', 64),
    site: Text('bad-site', `site is at most ${BOUNDS.siteChars} characters`, BOUNDS.siteChars),
    format: Type.Optional(
      Type.Union([Type.Literal('csv'), Type.Literal('ndjson'), Type.Literal('json')], refused('bad-format', 'format is csv, ndjson or json')),
    ),
    /** The CSV's field separator: comma (default) or semicolon (spreadsheets whose list separator is ;). */
    sep: OneOf(['comma', 'semicolon'], 'bad-sep', 'sep is comma or semicolon'),
    /** bom=1: the CSV starts with a UTF-8 byte order mark. */
    bom: OneOf(['0', '1'], 'bad-bom', 'bom is 0 or 1'),
    /** The CSV's decimal mark: point (default) or comma; without it, `lang`'s (a decimal comma for de, fr, es). */
    decimal: OneOf(['point', 'comma'], 'bad-decimal', 'decimal is point or comma'),
    /** The reader's language (src/protocol/lang.ts): the CSV's decimal mark when `decimal` is not given. */
    lang: ReaderLang,
  },
  OtherParams,
);

/** /r/:code (the page of a shared result): the reader's language, over Accept-Language. */
export const SharedPageQuery = Type.Object({ lang: ReaderLang }, OtherParams);

// --- sites ---

/** /api/sites/:site/report: the site's name as its samples were stored. */
export const SiteParams = Type.Object(
  {
    site: Type.String({ minLength: 1, maxLength: BOUNDS.siteChars, ...refused('bad-site', `site is 1 to ${BOUNDS.siteChars} characters`) }),
  },
  { additionalProperties: false },
);

/** GET /api/sites/:site/report: the span, the time zone of its hours, and the pool (null: what most samples used). */
export const SiteReportQuery = Type.Object(
  {
    since: Since,
    tz: TimeZone,
    profile: OneOf(['client-to-edge', 'edge-to-edge', 'azure-region'], 'bad-profile', 'profile is client-to-edge, edge-to-edge or azure-region'),
    azureRegion: Text('bad-profile', `azureRegion is at most ${BOUNDS.siteChars} characters`, BOUNDS.siteChars),
    from: OneOf(['site', 'edge'], 'bad-profile', 'from is site or edge'),
    path: OneOf(['rtp', 'datachannel'], 'bad-path', 'path is rtp or datachannel'),
  },
  OtherParams,
);

/** GET /api/sites: the overview takes the span only. */
export const SitesOverviewQuery = Type.Object(
  { since: Since },
  { additionalProperties: false, ...refused('bad-query', 'unknown parameter {name}: the overview takes since') },
);

// --- upload-only site tokens ---

/** POST /api/site-tokens: the site the new token may upload to (any spelling; canonicalSite checks it). */
export const SiteTokenCreateBody = Type.Object(
  {
    site: Type.String({ minLength: 1, maxLength: BOUNDS.siteChars }),
    /** The probe is not installed yet: the site's silence is counted from its first stored sample, not from the token. */
    awaitFirstSample: Type.Optional(Type.Boolean()),
  },
  {
    additionalProperties: false,
    ...refused('bad-site', `send { "site": ..., "awaitFirstSample": true|false } as JSON, a name of 1 to ${BOUNDS.siteChars} characters`),
  },
);

/** POST /api/results/check: the site a token would store results for (any spelling; canonicalSite checks it). */
export const UploadCheckBody = Type.Object(
  { site: Type.String({ minLength: 1, maxLength: BOUNDS.siteChars }) },
  { additionalProperties: false, ...refused('bad-site', `send { "site": ... } as JSON, a name of 1 to ${BOUNDS.siteChars} characters`) },
);

/** GET /api/site-tokens: the tokens of one site, or of all. */
export const SiteTokenListQuery = Type.Object({ site: Text('bad-site', `{name} is at most ${BOUNDS.siteChars} characters`, BOUNDS.siteChars) }, OtherParams);

/** DELETE /api/site-tokens/:id. */
export const SiteTokenIdParams = Type.Object(
  { id: Type.String({ maxLength: 16, pattern: '^[0-9a-f]{16}$', ...refused('unknown-token', 'no site token has this id') }) },
  { additionalProperties: false },
);

// --- help desk console ---

/** POST /api/console/login (bounds and the password itself are checked as a login, 401 alike). */
export const ConsoleLoginBody = Type.Object(
  { name: Type.String({ maxLength: BOUNDS.loginFieldChars }), password: Type.String({ maxLength: BOUNDS.loginFieldChars }) },
  { additionalProperties: false, ...refused('bad-login', `send { "name": ..., "password": ... } as JSON, each at most ${BOUNDS.loginFieldChars} characters`) },
);

const Bounded = (maxLength: number) => Text('bad-query', `{name} is at most ${maxLength} characters`, maxLength);
const Instant = Text('bad-query', '{name} is at most 40 characters', 40);

/** GET /api/console/results: a code, or any of ticket, site, a span of start times and a verdict. */
export const ConsoleSearchQuery = Type.Object(
  {
    tz: Bounded(BOUNDS.timeZoneChars),
    code: Bounded(16),
    verdict: OneOf(['pass', 'fail', 'insufficient', 'could-not-test'], 'bad-verdict', 'verdict is pass, fail, insufficient or could-not-test'),
    from: Instant,
    to: Instant,
    site: Bounded(BOUNDS.siteChars),
    ticket: Bounded(BOUNDS.siteChars),
  },
  OtherParams,
);

/** GET /api/console/results/:id: the time zone to show its times in. */
export const ConsoleResultQuery = Type.Object({ tz: Bounded(BOUNDS.timeZoneChars), lang: ReaderLang }, OtherParams);

/**
 * GET /api/console/oidc/callback: the provider's authorization response (RFC 6749 §4.1.2, §4.1.2.1;
 * `iss`: RFC 9207), checked whole by openid-client; any other parameter a provider adds (Entra ID's
 * and Keycloak's `session_state`) is bounded like every other.
 */
export const ConsoleOidcCallbackQuery = Type.Object(
  {
    code: Bounded(BOUNDS.oidcCodeChars),
    state: Bounded(BOUNDS.oidcStateChars),
    iss: Bounded(BOUNDS.oidcIssuerChars),
    error: Bounded(BOUNDS.oidcErrorChars),
    error_description: Bounded(BOUNDS.oidcErrorChars),
  },
  OtherParams,
);

export type ResultUpload = Static<typeof ResultUploadBody>;
export type ExportRequest = Static<typeof ExportQuery>;
export type SiteReportRequest = Static<typeof SiteReportQuery>;
export type SitesOverviewRequest = Static<typeof SitesOverviewQuery>;
export type SiteTokenCreate = Static<typeof SiteTokenCreateBody>;
export type UploadCheck = Static<typeof UploadCheckBody>;
export type SiteTokenList = Static<typeof SiteTokenListQuery>;
export type ConsoleLogin = Static<typeof ConsoleLoginBody>;
export type ConsoleSearch = Static<typeof ConsoleSearchQuery>;
