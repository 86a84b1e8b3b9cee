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
import { EXIT, type ExitCode } from '../exit.js';
import { operatorCall } from '../operator-api.js';

export interface SiteTokenCommandOptions {
  action: 'create' | 'list' | 'revoke';
  server: string;
  site?: string;
  /** revoke: this token only (else every live token of --site). */
  id?: string;
  /** create: for a probe not installed yet (--await-first-sample): the site's silence is counted from its first stored sample. */
  awaitFirstSample?: boolean;
  /** --token, CALLPROBE_TOKEN or CALLPROBE_ADMIN_TOKEN: the operator token. */
  token?: string;
}

async function call(o: SiteTokenCommandOptions, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  if (o.token === undefined) throw new ConfigError('missing-option', 'site tokens need the operator token: --token T or CALLPROBE_TOKEN');
  return operatorCall(new URL(path, o.server), o.token, { method, body });
}

function line(t: SiteTokenView): string {
  return `${t.id}  ${t.site}  created ${t.createdAt}  ${t.revokedAt === null ? 'live' : `revoked ${t.revokedAt}`}${t.awaitsFirstSample ? '  awaits its first sample' : ''}\n`;
}

export async function siteTokenCommand(o: SiteTokenCommandOptions): Promise<ExitCode> {
  const list = async (): Promise<SiteTokenView[]> =>
    (await call(o, 'GET', o.site === undefined ? SITE_TOKENS_PATH : `${SITE_TOKENS_PATH}?site=${encodeURIComponent(o.site)}`)) as SiteTokenView[];
  if (o.awaitFirstSample === true && o.action !== 'create')
    throw new ConfigError('bad-value', `--await-first-sample is for site-token create, not ${o.action}`);
  if (o.action === 'create') {
    if (o.site === undefined) throw new ConfigError('missing-option', 'site-token create needs --site NAME');
    const t = (await call(o, 'POST', SITE_TOKENS_PATH, {
      site: o.site,
      ...(o.awaitFirstSample === true ? { awaitFirstSample: true } : {}),
    })) as SiteTokenCreated;
    process.stderr.write(
      `site token ${t.id} for ${t.site}: it uploads samples of this site only; it is shown only now${t.awaitsFirstSample === true ? '; the site counts as not yet installed, its silence counted from its first sample' : ''}\n`,
    );
    process.stdout.write(`${t.token}\n`);
    return EXIT.pass;
  }
  if (o.action === 'list') {
    process.stdout.write((await list()).map(line).join(''));
    return EXIT.pass;
  }
  if (o.site === undefined && o.id === undefined)
    throw new ConfigError('missing-option', 'site-token revoke needs --site NAME (every live token of it) or --id ID');
  const ids = o.id !== undefined ? [o.id] : (await list()).filter((t) => t.revokedAt === null).map((t) => t.id);
  for (const id of ids) {
    await call(o, 'DELETE', `${SITE_TOKENS_PATH}/${encodeURIComponent(id)}`);
    process.stdout.write(`revoked ${id}\n`);
  }
  if (ids.length === 0) process.stderr.write(`no live site token of ${o.site ?? ''} to revoke\n`);
  return EXIT.pass;
}
