/**
 * A real OpenID provider for tests: oidc-provider (the certified Node implementation) on a
 * loopback address, plain http. One confidential client (client_secret_basic, PKCE required),
 * accounts by name, each with its groups in the ID token's `groups` claim and
 * `preferred_username` <name>@corp.example; the provider's own login page is a form asking only
 * for the account's name (no password: the provider's checks are not what is tested), and its
 * consent is given without asking. `walkProvider` drives a sign-in through it without a browser,
 * keeping the provider's cookies in a jar, as a browser would.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { TestKitError } from './errors.js';

export interface TestProviderOptions {
  /** Loopback address to listen on (default 127.0.0.2: another site than the console's 127.0.0.1). */
  host?: string;
  /** Port (default 0: the OS picks). */
  port?: number;
  clientId: string;
  clientSecret: string;
  /** The redirect URIs registered for the client (the console's callback). */
  redirectUris: string[];
  /** Accounts by name, with their groups. */
  accounts: Readonly<Record<string, { groups: string[] }>>;
}

export interface TestProvider {
  /** The issuer (its discovery document: issuer + /.well-known/openid-configuration). */
  issuer: string;
  /** Stops answering: connections are refused afterwards. */
  close(): Promise<void>;
}

const page = (uid: string): string => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Corp sign-in</title></head>
<body><main><h1>Corp sign-in</h1>
<form method="post" action="/interaction/${uid}"><label>Account <input name="account" autocomplete="off"></label>
<button type="submit">Sign in to Corp</button></form></main></body></html>`;

async function bodyOf(req: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 4096) throw new TestKitError('exited', 'the test provider got a login form over 4 KiB');
  }
  return new URLSearchParams(text);
}

/** The provider's consent, given without asking: a grant of what the client asked for. */
async function grantAll(ctx: KoaContextWithOIDC): Promise<InstanceType<Provider['Grant']> | undefined> {
  const { client, session, params } = ctx.oidc;
  if (client === undefined || session === undefined || session.accountId === undefined) return undefined;
  const existing = session.grantIdFor(client.clientId);
  const found = existing === undefined ? undefined : await ctx.oidc.provider.Grant.find(existing);
  if (found !== undefined) return found;
  const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope(String(params?.['scope'] ?? 'openid'));
  await grant.save();
  return grant;
}

function configuration(o: TestProviderOptions): Configuration {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    clients: [
      {
        client_id: o.clientId,
        client_secret: o.clientSecret,
        redirect_uris: o.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig', kid: 'test' }] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    claims: { openid: ['sub', 'groups'], profile: ['preferred_username'] },
    // Every claim of the scopes granted in the ID token, as Entra ID, Okta and Keycloak send groups.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    loadExistingGrant: grantAll,
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
    findAccount: (_ctx, sub) => {
      const account = o.accounts[sub];
      if (account === undefined) return undefined;
      return { accountId: sub, claims: () => ({ sub, preferred_username: `${sub}@corp.example`, groups: account.groups }) };
    },
  };
}

/** Starts the provider; its issuer is http://<host>:<port>. */
export async function startProvider(o: TestProviderOptions): Promise<TestProvider> {
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server = createServer((req, res) => (handle === null ? res.writeHead(503).end() : handle(req, res)));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.2', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${o.host ?? '127.0.0.2'}:${port}`;
  const provider = new Provider(issuer, configuration(o));
  const koa = provider.callback();
  const interaction = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(details.uid));
      return;
    }
    const account = (await bodyOf(req)).get('account') ?? '';
    if (o.accounts[account] === undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(details.uid));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: account } }, { mergeWithLastSubmission: false });
  };
  handle = (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return koa(req, res);
    interaction(req, res).catch((err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err)));
  };
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The cookies a browser keeps for the provider (one origin, paths not told apart). */
export type CookieJar = Map<string, string>;

function keep(jar: CookieJar, res: Response): void {
  for (const line of res.headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
}

/**
 * Follows a sign-in from the provider's authorization URL as a browser would, answering its login
 * page with `account` if it shows one, until the provider sends the browser elsewhere: that
 * address (the console's callback with the code and state). Fails after 10 hops.
 */
export async function walkProvider(authUrl: string, account: string, jar: CookieJar = new Map()): Promise<string> {
  const origin = new URL(authUrl).origin;
  let url = authUrl;
  let form: URLSearchParams | null = null;
  for (let hop = 0; hop < 10; hop++) {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, {
      redirect: 'manual',
      method: form === null ? 'GET' : 'POST',
      headers: { ...(cookie !== '' ? { cookie } : {}), ...(form !== null ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form !== null ? { body: form.toString() } : {}),
    });
    keep(jar, res);
    form = null;
    const location = res.headers.get('location');
    if (location !== null) {
      const next = new URL(location, url);
      if (next.origin !== origin) return next.href;
      url = next.href;
      continue;
    }
    if (res.status === 200 && url.includes('/interaction/')) {
      await res.text();
      form = new URLSearchParams({ account });
      continue;
    }
    throw new TestKitError('exited', `the test provider answered ${url} with ${res.status}: ${(await res.text()).slice(0, 300)}`);
  }
  throw new TestKitError('timeout', `no way out of the test provider after 10 hops from ${authUrl}`);
}
