/**
 * The alert rules file of `serve --alerts FILE`: its webhooks (`webhook`, one, or `webhooks`, a
 * list, each with its format and an optional filter by site and kind of alert) and the rules that post to them (a
 * P90 rule per metric, at most one silence rule, at most one could-not-test rule, at most one
 * could-not-judge rule over the P90 rules' targets). JSON, checked with TypeBox; a bad file is a
 * usage error that names the problem.
 */
import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ConfigError } from '../../src/protocol/config-error.js';
import { BOUNDS, DEFAULTS } from '../../src/protocol/defaults.js';
import { parseDurationMs } from '../../src/protocol/values.js';
import { EDGE_ID_PATTERN } from '../../src/protocol/edge-id.js';
import type { CouldNotJudgeRule, CouldNotTestRule, SilenceRule } from '../../src/analysis/alert/site-rules.js';
import { TargetIdSchema } from '../../src/analysis/schema/report-schema.js';
import type { AlertRule } from '../../src/analysis/alert/hysteresis.js';
import { canonicalSite, SiteNameError } from '../../src/protocol/site-name.js';
import { alertReceiverId } from './receivers.js';

const Count = (description: string) => Type.Integer({ minimum: 1, maximum: 10_000, description });

/** What a webhook's filter may name: the kinds of alert (the rules that raise them). */
const ALERT_KINDS = ['p90', 'region', 'silence', 'could-not-test', 'could-not-judge'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

const WebhookSchema = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', maxLength: 2048, description: 'where events are POSTed (set by the operator only)' }),
    format: Type.Optional(
      Type.Union([Type.Literal('json'), Type.Literal('teams'), Type.Literal('slack')], {
        description: 'json: {site, metric, p90, target, state, since}; teams and slack: their incoming-webhook bodies (default json)',
      }),
    ),
    sites: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: BOUNDS.siteChars }), {
        minItems: 1,
        maxItems: 1000,
        description: "only these sites' alerts (any spelling of each name); absent: every site's",
      }),
    ),
    kinds: Type.Optional(
      Type.Array(Type.Union(ALERT_KINDS.map((k) => Type.Literal(k))), {
        minItems: 1,
        maxItems: ALERT_KINDS.length,
        description: 'only these kinds of alert (p90, region, silence, could-not-test, could-not-judge); absent: every kind',
      }),
    ),
  },
  { additionalProperties: false },
);

const AlertsFileSchema = Type.Object(
  {
    webhook: Type.Optional(WebhookSchema),
    webhooks: Type.Optional(Type.Array(WebhookSchema, { minItems: 1, maxItems: BOUNDS.alertWebhooks })),
    rules: Type.Array(
      Type.Union([
        Type.Object(
          {
            metric: TargetIdSchema,
            edge: Type.Optional(
              Type.String({
                maxLength: BOUNDS.edgeIdChars,
                pattern: EDGE_ID_PATTERN,
                description: "an edge's id: the P90 of the site's locate round trips to that edge (metric latency-rtt only)",
              }),
            ),
            samples: Type.Optional(Count(`samples the P90 is taken over (default ${DEFAULTS.alerts.samples})`)),
            raiseAfter: Type.Optional(Count(`breaches in a row before raising (default ${DEFAULTS.alerts.raiseAfter})`)),
            clearAfter: Type.Optional(Count(`passes in a row before clearing (default ${DEFAULTS.alerts.clearAfter})`)),
          },
          { additionalProperties: false },
        ),
        Type.Object(
          { silentFor: Type.String({ maxLength: 16, description: 'raised after this long (e.g. "30m") of our up time without a sample that tested' }) },
          { additionalProperties: false },
        ),
        Type.Object(
          {
            couldNotTestAbovePct: Type.Number({ minimum: 0, maximum: 99, description: 'raised when more than this share (%) of the window could not test' }),
            over: Type.String({ maxLength: 16, description: 'the window, e.g. "2h"' }),
            minSamples: Type.Optional(Count(`samples the window needs before it is judged (default ${DEFAULTS.alerts.couldNotTestMinSamples})`)),
          },
          { additionalProperties: false },
        ),
        Type.Object(
          {
            couldNotJudgeAbovePct: Type.Number({
              minimum: 0,
              maximum: 99,
              description: "raised when more than this share (%) of the window's reports could not judge a target a metric rule watches",
            }),
            over: Type.String({ maxLength: 16, description: 'the window, e.g. "2h"' }),
            minSamples: Type.Optional(Count(`reports the window needs before it is judged (default ${DEFAULTS.alerts.couldNotTestMinSamples})`)),
          },
          { additionalProperties: false },
        ),
      ]),
      { minItems: 1, maxItems: 64 },
    ),
  },
  { additionalProperties: false },
);

export type WebhookFormat = 'json' | 'teams' | 'slack';

/** One webhook of an alerts file: where, in which format, and which alerts (null: all). */
export interface AlertWebhook {
  /** Its id in the store's posts (./receivers.ts alertReceiverId: made from its URL). */
  id: string;
  url: string;
  format: WebhookFormat;
  /** Only these sites' alerts, by key (server/store/site-key.ts); null: every site's. */
  siteKeys: string[] | null;
  /** Only these kinds of alert; null: every kind. */
  kinds: AlertKind[] | null;
}

export interface AlertsConfig {
  /** Every webhook of the file (`webhook` or `webhooks`), in its order: one at least. */
  webhooks: AlertWebhook[];
  /** The P90 rules, one per metric. */
  rules: AlertRule[];
  silence: SilenceRule | null;
  couldNotTest: CouldNotTestRule | null;
  /** Over the targets of `rules`. */
  couldNotJudge: CouldNotJudgeRule | null;
}

/** Checks a parsed alerts file; throws ConfigError naming the first problem. */
export function alertsConfigFrom(value: unknown, where = 'the alerts file'): AlertsConfig {
  if (!Value.Check(AlertsFileSchema, value)) {
    const first = [...Value.Errors(AlertsFileSchema, value)][0];
    throw new ConfigError('bad-value', `${where}: ${first ? `${first.path || '/'} ${first.message}` : 'not an alerts file'}`);
  }
  const p90 = value.rules.flatMap((r) => ('metric' in r ? [r] : []));
  const silence = value.rules.flatMap((r) => ('silentFor' in r ? [r] : []));
  const cnt = value.rules.flatMap((r) => ('couldNotTestAbovePct' in r ? [r] : []));
  const cnj = value.rules.flatMap((r) => ('couldNotJudgeAbovePct' in r ? [r] : []));
  const metrics = p90.map((r) => (r.edge === undefined ? r.metric : `${r.metric} on edge ${r.edge}`));
  const twice = metrics.find((m, i) => metrics.indexOf(m) !== i);
  // The store keeps one state per (site, metric): two rules on one metric would share it.
  if (twice !== undefined) throw new ConfigError('bad-value', `${where}: /rules has two rules for ${twice} (one rule per metric and edge)`);
  const notRtt = p90.find((r) => r.edge !== undefined && r.metric !== 'latency-rtt');
  if (notRtt !== undefined)
    throw new ConfigError(
      'bad-value',
      `${where}: /rules names edge ${String(notRtt.edge)} for ${notRtt.metric}: a rule on an edge watches its round trip (latency-rtt) only`,
    );
  if (silence.length > 1) throw new ConfigError('bad-value', `${where}: /rules has two silentFor rules (one at most)`);
  if (cnt.length > 1) throw new ConfigError('bad-value', `${where}: /rules has two couldNotTestAbovePct rules (one at most)`);
  if (cnj.length > 1) throw new ConfigError('bad-value', `${where}: /rules has two couldNotJudgeAbovePct rules (one at most)`);
  if (cnj.length > 0 && p90.length === 0)
    throw new ConfigError('bad-value', `${where}: /rules has a couldNotJudgeAbovePct rule but no metric rule (it watches the metric rules' targets)`);
  const duration = (text: string, what: string, bounds: { min: number; max: number }): number => {
    try {
      return parseDurationMs(text, what, bounds);
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigError('bad-value', `${where}: ${err.message}`);
      throw err;
    }
  };
  const [s] = silence;
  const [c] = cnt;
  const [j] = cnj;
  return {
    webhooks: webhooksOf(value, where),
    rules: p90.map((r) => ({
      target: r.metric,
      ...(r.edge === undefined ? {} : { edge: r.edge }),
      samples: r.samples ?? DEFAULTS.alerts.samples,
      raiseAfter: r.raiseAfter ?? DEFAULTS.alerts.raiseAfter,
      clearAfter: r.clearAfter ?? DEFAULTS.alerts.clearAfter,
    })),
    silence: s === undefined ? null : { silentForMs: duration(s.silentFor, '/rules silentFor', BOUNDS.alertSpanMs) },
    couldNotTest:
      c === undefined
        ? null
        : {
            abovePct: c.couldNotTestAbovePct,
            overMs: duration(c.over, '/rules over', BOUNDS.alertSpanMs),
            minSamples: c.minSamples ?? DEFAULTS.alerts.couldNotTestMinSamples,
          },
    couldNotJudge:
      j === undefined
        ? null
        : {
            abovePct: j.couldNotJudgeAbovePct,
            overMs: duration(j.over, '/rules over', BOUNDS.alertSpanMs),
            minSamples: j.minSamples ?? DEFAULTS.alerts.couldNotTestMinSamples,
          },
  };
}

/** The file's webhooks: `webhook` (one) or `webhooks` (a list), not both; two with one URL are refused (a post names its webhook by its URL). */
function webhooksOf(value: Static<typeof AlertsFileSchema>, where: string): AlertWebhook[] {
  if (value.webhook !== undefined && value.webhooks !== undefined)
    throw new ConfigError('bad-value', `${where}: give "webhook" (one) or "webhooks" (a list), not both`);
  const given = value.webhooks ?? (value.webhook === undefined ? [] : [value.webhook]);
  if (given.length === 0) throw new ConfigError('bad-value', `${where}: / needs "webhook" or "webhooks": where the alerts are posted`);
  const urls = given.map((w) => w.url);
  const twice = urls.findIndex((u, i) => urls.indexOf(u) !== i);
  if (twice !== -1) throw new ConfigError('bad-value', `${where}: /webhooks/${twice} has the URL of an earlier webhook (one entry per URL)`);
  return given.map((w, i) => ({
    id: alertReceiverId(w.url),
    url: w.url,
    format: w.format ?? 'json',
    siteKeys: w.sites === undefined ? null : w.sites.map((name, k) => siteKeyIn(name, `${where}: /webhooks/${i}/sites/${k}`)),
    kinds: w.kinds ?? null,
  }));
}

/** A site name's key, or ConfigError naming where it stands. */
function siteKeyIn(name: string, where: string): string {
  try {
    return canonicalSite(name).key;
  } catch (err) {
    if (err instanceof SiteNameError) throw new ConfigError('bad-value', `${where}: ${err.message}`);
    throw err;
  }
}

/** Reads `serve --alerts FILE`; throws ConfigError when it cannot be read or is not an alerts file. */
export function readAlertsConfig(path: string): AlertsConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('bad-value', `--alerts ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('bad-value', `--alerts ${path}: not JSON (${(err as Error).message})`);
  }
  return alertsConfigFrom(parsed, `--alerts ${path}`);
}
