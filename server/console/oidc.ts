/**
 * Signing in to the help desk console through the company's identity provider: OpenID Connect's
 * authorization code flow (OpenID Connect Core 1.0 §3.1) with PKCE (RFC 7636, S256), a state and
 * a nonce, through openid-client; the tier from a group claim of the ID token (the groups file,
 * ./oidc-config.ts). The provider is found by its discovery document, read when first needed and
 * again at most every `checkEveryMs` (every `recheckDownMs` while it does not answer), which also
 * tells the login page whether the provider answers: serve starts, and local users sign in,
 * whether it does or not.
 *
 * What a sign-in sent to the provider leaves here (its state, nonce and PKCE verifier, the
 * redirect URI) is held in memory by its state, at most `pendingMax` of them (the oldest dropped
 * first) and for `pendingTtlMs`, and taken once: the browser must come back to the same `serve`.
 */
import * as client from 'openid-client';
import { BOUNDS } from '../../src/protocol/defaults.js';
import { TypedError } from '../../src/protocol/typed-error.js';
import type { ConsoleRole } from '../../src/protocol/api-console.js';
import type { SignInOutcome } from '../../src/protocol/api-console-sign-in.js';
import { insecureIssuer, roleOfClaims, type ConsoleOidcOptions } from './oidc-config.js';

/** Why a company sign-in opened no session (the console page's ?sign-in=); a no-group refusal names the account. */
export class OidcSignInError extends TypedError<SignInOutcome> {
  constructor(
    reason: SignInOutcome,
    message: string,
    readonly account: Pick<CompanyAccount, 'subject' | 'shown'> | null = null,
    options?: { cause?: unknown },
  ) {
    super(reason, message, options);
  }
}

/** Who signed in: the provider's subject (its `sub`), the name the console shows, the tier their groups give. */
export interface CompanyAccount {
  subject: string;
  shown: string;
  role: ConsoleRole;
}

interface Pending {
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  createdAtMs: number;
}

/** Sign-ins sent to the provider and not back yet, by their state: at most `max`, each for `ttlMs`, each taken once. */
export class PendingSignIns {
  /** Map order is insertion order: the first entries are the oldest. */
  private readonly open = new Map<string, Pending>();

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
    private readonly nowMs: () => number,
  ) {}

  add(state: string, p: Pending): void {
    const now = this.nowMs();
    for (const [k, old] of this.open) {
      if (now - old.createdAtMs < this.ttlMs) break;
      this.open.delete(k);
    }
    this.open.set(state, p);
    while (this.open.size > this.max) this.open.delete(this.open.keys().next().value as string);
  }

  /** The sign-in of this state, forgotten as it is taken; or why there is none. */
  take(state: string): Pending | 'unknown' | 'expired' {
    const p = this.open.get(state);
    if (p === undefined) return 'unknown';
    this.open.delete(state);
    return this.nowMs() - p.createdAtMs >= this.ttlMs ? 'expired' : p;
  }

  /** Sign-ins held now (tests check the bound). */
  get size(): number {
    return this.open.size;
  }
}

/** Whether a failed request to the provider got no answer (refused, timed out) or a 5xx: the provider is down, not refusing. */
function unreachable(err: unknown): boolean {
  if (err instanceof client.ClientError) {
    if (err.code === 'OAUTH_TIMEOUT' || err.code === 'OAUTH_ABORT') return true;
    return err.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' && err.cause instanceof Response && err.cause.status >= 500;
  }
  return err instanceof TypeError && err.message === 'fetch failed';
}

/** Control characters out, at most `max` characters. */
const clean = (text: string, max: number): string => text.replace(/[\p{Cc}\p{Cf}]/gu, '').slice(0, max);

/** The name the console shows for an account: preferred_username, else email, else name, else the subject. */
function shownName(claims: Readonly<Record<string, unknown>>, subject: string): string {
  for (const k of ['preferred_username', 'email', 'name']) {
    const v = claims[k];
    if (typeof v === 'string' && clean(v, BOUNDS.oidcShownNameChars).trim() !== '') return clean(v, BOUNDS.oidcShownNameChars).trim();
  }
  return clean(subject, BOUNDS.oidcShownNameChars);
}

/** What the sign-in writes to the log (a pino logger's warn). */
export interface OidcLog {
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** The console's company sign-in: the provider's configuration, whether it answers, the sign-ins under way. */
export class CompanySignIn {
  private config: client.Configuration | null = null;
  private last: { atMs: number; up: boolean } | null = null;
  private checking: Promise<boolean> | null = null;
  readonly pending: PendingSignIns;

  constructor(
    readonly o: ConsoleOidcOptions,
    private readonly nowMs: () => number,
    private readonly log: OidcLog,
  ) {
    this.pending = new PendingSignIns(o.pendingTtlMs, o.pendingMax, nowMs);
  }

  /**
   * Whether the provider answered when last asked: asked again, once for every caller, when that
   * is over `checkEveryMs` ago (it answered) or `recheckDownMs` ago (it did not).
   */
  async status(): Promise<'up' | 'down'> {
    return (await this.answers()) ? 'up' : 'down';
  }

  private answers(): Promise<boolean> {
    const last = this.last;
    if (last !== null && this.nowMs() - last.atMs < (last.up ? this.o.checkEveryMs : this.o.recheckDownMs)) return Promise.resolve(last.up);
    this.checking ??= this.discover().finally(() => (this.checking = null));
    return this.checking;
  }

  private async discover(): Promise<boolean> {
    const auth = this.o.clientSecret === null ? client.None() : client.ClientSecretBasic(this.o.clientSecret);
    try {
      const config = await client.discovery(new URL(this.o.issuer), this.o.clientId, undefined, auth, {
        timeout: this.o.checkTimeoutS,
        // parseOidcIssuer allows plain http on loopback only.
        ...(insecureIssuer(this.o.issuer) ? { execute: [client.allowInsecureRequests] } : {}),
      });
      config.timeout = this.o.exchangeTimeoutS;
      this.config = config;
      this.last = { atMs: this.nowMs(), up: true };
      return true;
    } catch (err) {
      if (this.last?.up !== false)
        this.log.warn({ console: 'oidc-issuer-down', issuer: this.o.issuer, err: (err as Error).message }, 'console: the identity provider does not answer');
      this.last = { atMs: this.nowMs(), up: false };
      return false;
    }
  }

  /** Starts a sign-in: the provider's authorization URL for the browser, and the state to bind to it (its cookie). */
  async begin(redirectUri: string): Promise<{ url: string; state: string }> {
    const config = (await this.answers()) ? this.config : null;
    if (config === null) throw new OidcSignInError('issuer-down', 'the identity provider does not answer');
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: ['openid', 'profile', ...this.o.groups.scopes].join(' '),
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    this.pending.add(state, { nonce, codeVerifier, redirectUri, createdAtMs: this.nowMs() });
    return { url: url.href, state };
  }

  /**
   * Ends a sign-in: the provider's answer (`query`, the callback's query string) for the sign-in
   * this browser's cookie names (`state`), its code exchanged for an ID token (nonce, state and
   * PKCE checked), and the account it names with its tier. Throws OidcSignInError.
   */
  async finish(state: string | null, query: string): Promise<CompanyAccount> {
    const p = state === null ? 'unknown' : this.pending.take(state);
    if (p === 'expired') throw new OidcSignInError('expired', 'the sign-in came back after it expired');
    if (p === 'unknown' || state === null) throw new OidcSignInError('refused', 'no sign-in of this browser is waiting for this answer');
    const config = this.config;
    if (config === null) throw new OidcSignInError('issuer-down', 'the identity provider was not found');
    const url = new URL(p.redirectUri);
    url.search = query;
    let claims: client.IDToken | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(config, url, {
        pkceCodeVerifier: p.codeVerifier,
        expectedNonce: p.nonce,
        expectedState: state,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (err) {
      if (unreachable(err)) {
        this.last = { atMs: this.nowMs(), up: false };
        throw new OidcSignInError('issuer-down', `the identity provider does not answer: ${(err as Error).message}`, null, { cause: err });
      }
      throw new OidcSignInError('refused', `the identity provider's answer was refused: ${(err as Error).message}`, null, { cause: err });
    }
    this.last = { atMs: this.nowMs(), up: true };
    return this.account(claims);
  }

  private account(claims: client.IDToken | undefined): CompanyAccount {
    if (claims === undefined) throw new OidcSignInError('refused', 'the identity provider sent no ID token');
    const subject = claims.sub;
    if (subject.length === 0 || subject.length > BOUNDS.oidcSubjectChars || !/^[\x20-\x7e]+$/.test(subject))
      throw new OidcSignInError('refused', `the ID token's subject is not 1..${BOUNDS.oidcSubjectChars} ASCII characters`);
    const shown = shownName(claims, subject);
    const role = roleOfClaims(this.o.groups, claims);
    if (role === null)
      throw new OidcSignInError('no-group', `the account is in no group the console lets in (claim "${this.o.groups.claim}")`, { subject, shown });
    return { subject, shown, role };
  }
}

/**
 * The user a company account's session is kept under: `oidc:` and the JSON of [subject, shown
 * name]. A local user's name has no `:` (./credentials.ts), so the two never meet.
 */
export function companySessionUser(a: Pick<CompanyAccount, 'subject' | 'shown'>): string {
  return `oidc:${JSON.stringify([a.subject, a.shown])}`;
}

/** Who a session's user is: the name to show, and for a company account its subject at the provider (null: a local user). */
export function sessionAgent(user: string): { name: string; subject: string | null } {
  if (!user.startsWith('oidc:')) return { name: user, subject: null };
  const parsed: unknown = JSON.parse(user.slice('oidc:'.length));
  if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') return { name: parsed[1], subject: parsed[0] };
  throw new OidcSignInError('refused', 'a stored company session is not [subject, name]');
}
