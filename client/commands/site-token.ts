/**
 * `callprobe site-token create|list|revoke --site NAME --server URL --token T`: the operator's
 * upload-only site tokens (server/http/site-tokens.ts). `create` prints the new token alone as the
 * last line of stdout (what a script keeps: `TOKEN=$(callprobe site-token create ... | tail -n 1)`);
 * `list` one line per token, never the token; `revoke` every live token of the site, or the one
 * `--id` names. Exit codes: 0 done, 3 a usage error or a refusal (a wrong token, a bad name, an
 * unknown id), 4 the server could not be reached or answered something else.
 */
import { SITE_TOKENS_PATH, type SiteTokenCreated, type SiteTokenView } from '../../src/protocol/api.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import { EXIT, type ExitCode } from '../exit.js';
import { SiteReportFetchError } from '../site-report.js';

export interface SiteTokenCommandOptions {
  action: 'create' | 'list' | 'revoke';
  server: string;
  site?: string;
  /** revoke: this token only (else every live token of --site). */
  id?: string;
  /** --token, CALLPROBE_TOKEN or CALLPROBE_ADMIN_TOKEN: the operator token. */
  token?: string;
}

async function call(o: SiteTokenCommandOptions, method: string, path: string, body?: unknown): Promise<unknown> {
  if (o.token === undefined) throw new ConfigError('site tokens need the operator token: --token T or CALLPROBE_TOKEN', 'missing-option');
  const url = new URL(path, o.server);
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${o.token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(DEFAULTS.siteReport.fetchTimeoutMs),
    });
  } catch (err) {
    throw new SiteReportFetchError('unreachable', `${url.origin} did not answer: ${(err as Error).message}`);
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (err) {
    throw new SiteReportFetchError('bad-answer', `${url.origin} answered HTTP ${res.status}, not JSON (${(err as Error).message})`);
  }
  if (res.status >= 400 && res.status < 500) {
    const r = parsed as { reason?: unknown; message?: unknown } | null;
    throw new ConfigError(
      `the server refused (${res.status}${typeof r?.reason === 'string' ? ` ${r.reason}` : ''}): ${typeof r?.message === 'string' ? r.message : `HTTP ${res.status}`}`,
      'bad-value',
    );
  }
  if (res.status >= 400) throw new SiteReportFetchError('server-error', `${url.origin} answered HTTP ${res.status}`);
  return parsed;
}

function line(t: SiteTokenView): string {
  return `${t.id}  ${t.site}  created ${t.createdAt}  ${t.revokedAt === null ? 'live' : `revoked ${t.revokedAt}`}\n`;
}

export async function siteTokenCommand(o: SiteTokenCommandOptions): Promise<ExitCode> {
  const list = async (): Promise<SiteTokenView[]> =>
    (await call(o, 'GET', o.site === undefined ? SITE_TOKENS_PATH : `${SITE_TOKENS_PATH}?site=${encodeURIComponent(o.site)}`)) as SiteTokenView[];
  if (o.action === 'create') {
    if (o.site === undefined) throw new ConfigError('site-token create needs --site NAME', 'missing-option');
    const t = (await call(o, 'POST', SITE_TOKENS_PATH, { site: o.site })) as SiteTokenCreated;
    process.stderr.write(`site token ${t.id} for ${t.site}: it uploads samples of this site only; it is shown only now\n`);
    process.stdout.write(`${t.token}\n`);
    return EXIT.pass;
  }
  if (o.action === 'list') {
    process.stdout.write((await list()).map(line).join(''));
    return EXIT.pass;
  }
  if (o.site === undefined && o.id === undefined)
    throw new ConfigError('site-token revoke needs --site NAME (every live token of it) or --id ID', 'missing-option');
  const ids = o.id !== undefined ? [o.id] : (await list()).filter((t) => t.revokedAt === null).map((t) => t.id);
  for (const id of ids) {
    await call(o, 'DELETE', `${SITE_TOKENS_PATH}/${encodeURIComponent(id)}`);
    process.stdout.write(`revoked ${id}\n`);
  }
  if (ids.length === 0) process.stderr.write(`no live site token of ${o.site ?? ''} to revoke\n`);
  return EXIT.pass;
}
