/**
 * `callprobe edge-token create|list|revoke --edge ID --server HUB --token T`: the hub operator's
 * edge tokens (server/http/edge-tokens.ts), as `site-token` does site tokens; `create` binds the
 * token to the edge's Azure region and the hosts it advertises (--azure-region, --host). `create` prints the
 * new token alone as the last line of stdout (what a script keeps: `TOKEN=$(callprobe edge-token
 * create ... | tail -n 1)`); `list` one line per token, never the token; `revoke` every live token
 * of the edge, or the one `--id` names. Exit codes: 0 done, 3 a usage error or a refusal, 4 the
 * hub could not be reached or answered something else.
 */
import { EDGE_TOKENS_PATH, type EdgeTokenCreated, type EdgeTokenView } from '../../src/protocol/api-edges.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import { EXIT, type ExitCode } from '../exit.js';
import { operatorCall } from '../operator-api.js';

export interface EdgeTokenCommandOptions {
  action: 'create' | 'list' | 'revoke';
  server: string;
  edge?: string;
  /** create: the Azure region its edge stands in. */
  azureRegion?: string;
  /** create: the hosts its edge advertises (--host, repeated). */
  host?: string[];
  /** revoke: this token only (else every live token of --edge). */
  id?: string;
  /** --token, CALLPROBE_TOKEN or CALLPROBE_ADMIN_TOKEN: the hub's operator token. */
  token?: string;
}

async function call(o: EdgeTokenCommandOptions, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  if (o.token === undefined) throw new ConfigError('missing-option', 'edge tokens need the operator token: --token T or CALLPROBE_TOKEN');
  return operatorCall(new URL(path, o.server), o.token, { method, body, what: 'the edge token request' });
}

function line(t: EdgeTokenView): string {
  const bound =
    t.azureRegion === null
      ? 'unbound (made before tokens named a region and hosts: its beats are refused, make a new one)'
      : `${t.azureRegion}  ${t.hosts.join(',')}`;
  return `${t.id}  ${t.edge}  ${bound}  created ${t.createdAt}  ${t.revokedAt === null ? 'live' : `revoked ${t.revokedAt}`}\n`;
}

export async function edgeTokenCommand(o: EdgeTokenCommandOptions): Promise<ExitCode> {
  const list = async (): Promise<EdgeTokenView[]> =>
    (await call(o, 'GET', o.edge === undefined ? EDGE_TOKENS_PATH : `${EDGE_TOKENS_PATH}?edge=${encodeURIComponent(o.edge)}`)) as EdgeTokenView[];
  if (o.action === 'create') {
    if (o.edge === undefined || o.azureRegion === undefined || o.host === undefined || o.host.length === 0)
      throw new ConfigError('missing-option', 'edge-token create needs --edge ID, --azure-region NAME and --host HOST (what the edge advertises)');
    const t = (await call(o, 'POST', EDGE_TOKENS_PATH, { edge: o.edge, azureRegion: o.azureRegion, hosts: o.host })) as EdgeTokenCreated;
    process.stderr.write(
      `edge token ${t.id} for edge ${t.edge} in ${t.azureRegion ?? ''} at ${t.hosts.join(', ')}: it registers this edge only, from there (serve --hub ... --edge-id ${t.edge} --azure-region "${t.azureRegion ?? ''}" --edge-token); it is shown only now\n`,
    );
    process.stdout.write(`${t.token}\n`);
    return EXIT.pass;
  }
  if (o.action === 'list') {
    process.stdout.write((await list()).map(line).join(''));
    return EXIT.pass;
  }
  if (o.edge === undefined && o.id === undefined)
    throw new ConfigError('missing-option', 'edge-token revoke needs --edge ID (every live token of it) or --id ID');
  const ids = o.id !== undefined ? [o.id] : (await list()).filter((t) => t.revokedAt === null).map((t) => t.id);
  for (const id of ids) {
    await call(o, 'DELETE', `${EDGE_TOKENS_PATH}/${encodeURIComponent(id)}`);
    process.stdout.write(`revoked ${id}\n`);
  }
  if (ids.length === 0) process.stderr.write(`no live edge token of ${o.edge ?? ''} to revoke\n`);
  return EXIT.pass;
}
