/**
 * The grammars of the console's sign-in through the company's identity provider (serve
 * --oidc-issuer, --oidc-client-id, --oidc-secret-file, --oidc-groups) and the tier a
 * group claim gives. Each parser throws ConfigError (a usage error).
 */
import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { BOUNDS, DEFAULTS } from '../../src/protocol/defaults.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import type { ConsoleRole } from '../../src/protocol/api-console.js';

/** Which groups of the provider open the console, and at which tier (serve --oidc-groups FILE). */
export interface OidcGroups {
  /** The ID token claim that lists the user's groups (a list of strings, or one string). */
  claim: string;
  tier1: string[];
  tier2: string[];
  /** Scopes asked for beside `openid profile` (e.g. Okta's `groups`). */
  scopes: string[];
}

/** How long a sign-in may take, how often the provider is asked whether it answers (DEFAULTS.console.oidc). */
interface OidcLimits {
  pendingTtlMs: number;
  pendingMax: number;
  checkEveryMs: number;
  recheckDownMs: number;
  checkTimeoutS: number;
  exchangeTimeoutS: number;
  statusPerMinutePerAddress: number;
}

/** The console's sign-in through an OpenID provider: serve's --oidc-* flags, resolved. */
export interface ConsoleOidcOptions extends OidcLimits {
  /** The issuer identifier (OpenID Connect Discovery 1.0 §2): its discovery document is under /.well-known/openid-configuration. */
  issuer: string;
  clientId: string;
  /** The client's secret (client_secret_basic); null: a public client, PKCE alone (token endpoint auth `none`). */
  clientSecret: string | null;
  groups: OidcGroups;
}

/** A host whose traffic never leaves the machine: an http issuer is accepted only there (tests, a provider beside serve). */
function loopbackHost(host: string): boolean {
  const h = host.startsWith('[') ? host.slice(1, -1) : host;
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** Whether the issuer is plain http (on loopback only: parseOidcIssuer refuses it elsewhere). */
export function insecureIssuer(issuer: string): boolean {
  return new URL(issuer).protocol === 'http:';
}

/** Parses --oidc-issuer: an https URL without query or fragment (http only on loopback). */
export function parseOidcIssuer(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(
      'bad-value',
      `--oidc-issuer must be the issuer's URL, e.g. https://login.microsoftonline.com/<tenant-id>/v2.0, not "${text.slice(0, 80)}"`,
    );
  }
  if (text.length > BOUNDS.oidcIssuerChars) throw new ConfigError('bad-value', `--oidc-issuer is at most ${BOUNDS.oidcIssuerChars} characters`);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    throw new ConfigError('bad-value', '--oidc-issuer has no query, fragment or user: give the issuer exactly as its discovery document names it');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopbackHost(url.hostname)))
    throw new ConfigError('bad-value', `--oidc-issuer must be https (plain http only on this machine's loopback), not ${url.protocol}`);
  return text;
}

/** Parses --oidc-client-id: 1..256 visible ASCII characters. */
export function parseOidcClientId(text: string): string {
  if (text.length < 1 || text.length > BOUNDS.oidcClientIdChars || !/^[\x21-\x7e]+$/.test(text))
    throw new ConfigError('bad-value', `--oidc-client-id must be 1..${BOUNDS.oidcClientIdChars} visible ASCII characters (the id the provider gave callprobe)`);
  return text;
}

/** The client secret in `file` (its first line; a newline after it is dropped), for --oidc-secret-file. */
export function readOidcSecretFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('bad-file', `--oidc-secret-file ${file}: cannot read: ${(err as Error).message}`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret.length < 1 || secret.length > BOUNDS.oidcClientSecretChars || !/^[\x20-\x7e]+$/.test(secret))
    throw new ConfigError(
      'bad-file',
      `--oidc-secret-file ${file}: one line of 1..${BOUNDS.oidcClientSecretChars} printable ASCII characters (the client secret the provider gave callprobe)`,
    );
  return secret;
}

const Group = Type.String({ minLength: 1, maxLength: BOUNDS.oidcGroupChars });
const GroupsSchema = Type.Object(
  {
    claim: Type.Optional(Type.String({ minLength: 1, maxLength: BOUNDS.oidcClaimChars })),
    tier1: Type.Optional(Type.Array(Group, { maxItems: BOUNDS.oidcGroupsPerTier })),
    tier2: Type.Optional(Type.Array(Group, { maxItems: BOUNDS.oidcGroupsPerTier })),
    // RFC 6749 §3.3: a scope token is visible ASCII but " and \.
    scopes: Type.Optional(Type.Array(Type.String({ pattern: '^[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,64}$' }), { maxItems: BOUNDS.oidcScopesMax })),
  },
  { additionalProperties: false },
);

/** The groups of an --oidc-groups file: { claim?, tier1?, tier2?, scopes? }; throws ConfigError (bad-file). */
export function parseOidcGroups(text: string, file: string): OidcGroups {
  const what = `--oidc-groups ${file}`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('bad-file', `${what}: not JSON: ${(err as Error).message}`);
  }
  if (!Value.Check(GroupsSchema, value)) {
    const first = Value.Errors(GroupsSchema, value).First();
    throw new ConfigError(
      'bad-file',
      `${what}: ${first ? `${first.path || '/'}: ${first.message}` : 'not an object'} (an object { "claim": "groups", "tier1": [...], "tier2": [...] })`,
    );
  }
  const g = value as Static<typeof GroupsSchema>;
  const groups: OidcGroups = { claim: g.claim ?? DEFAULTS.console.oidc.groupsClaim, tier1: g.tier1 ?? [], tier2: g.tier2 ?? [], scopes: g.scopes ?? [] };
  if (groups.tier1.length + groups.tier2.length === 0)
    throw new ConfigError('bad-file', `${what}: names no group: list the groups of tier 1 and tier 2 (a user of no listed group gets no console)`);
  const both = groups.tier1.find((name) => groups.tier2.includes(name));
  if (both !== undefined) throw new ConfigError('bad-file', `${what}: group "${both.slice(0, 80)}" is in tier1 and tier2: list it once`);
  if (groups.scopes.includes('openid')) throw new ConfigError('bad-file', `${what}: scopes: openid is always asked for: leave it out`);
  return groups;
}

export function readOidcGroupsFile(file: string): OidcGroups {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('bad-file', `--oidc-groups ${file}: cannot read: ${(err as Error).message}`);
  }
  return parseOidcGroups(text, file);
}

/**
 * The tier an ID token's claims give: tier 2 for a group of `tier2`, else tier 1 for a group of
 * `tier1`, else null (no console). The claim is a list of strings or one string; anything else
 * names no group.
 */
export function roleOfClaims(groups: OidcGroups, claims: Readonly<Record<string, unknown>>): ConsoleRole | null {
  const value = claims[groups.claim];
  const held = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  if (held.some((name) => groups.tier2.includes(name))) return 'tier2';
  if (held.some((name) => groups.tier1.includes(name))) return 'tier1';
  return null;
}
