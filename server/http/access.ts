/**
 * Who a request is: the operator (the admin token as `Authorization: Bearer`), a help desk
 * console session (its HttpOnly cookie, tier 1 or tier 2; opened by a local user's password or
 * through the company's identity provider), a probe machine with an upload-only
 * site token (./site-tokens.ts), or nobody. The operator counts as
 * tier 2 (automation). Read by the results, sites and console routes.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { CONSOLE_COOKIE, type ConsoleRole } from '../../src/protocol/api-console.js';
import { ConsoleSessions, type ConsoleUser, type SessionLookup } from '../console/auth.js';
import type { ConsoleSessionsRepository } from '../store/console-sessions/types.js';
import type { ConsoleOidcOptions } from '../console/oidc-config.js';
import { Refusal } from './refusal.js';
import type { SiteToken, SiteTokensRepository } from '../store/site-tokens/types.js';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** What the Authorization header proves: nothing (401), a wrong token (403), the operator (ok). */
export function operatorCheck(req: FastifyRequest, token: string | null): 'ok' | Refusal {
  if (token === null) return new Refusal('no-operator', 'operator endpoints are off: start serve with --admin-token (or CALLPROBE_ADMIN_TOKEN)', 404);
  const given = bearerOf(req);
  if (given === null) return new Refusal('no-token', 'give the operator token: Authorization: Bearer <token>', 401);
  return timingSafeEqual(digest(given), digest(token)) ? 'ok' : new Refusal('bad-token', 'the operator token is wrong', 403);
}

/** The console role of a request, or null (none: no console, no session, no operator token). */
export type RoleOf = (req: FastifyRequest) => ConsoleRole | null;

/**
 * The operator token, or a console session of at least `need` (tier 2 covers tier 1).
 * `consoleRole` absent: the console is closed and the operator endpoints answer as without it
 * (404 without a token configured).
 */
export function operatorOrConsole(req: FastifyRequest, adminToken: string | null, consoleRole: RoleOf | undefined, need: ConsoleRole): 'ok' | Refusal {
  const role = consoleRole?.(req) ?? null;
  if (role === 'tier2' || (role === 'tier1' && need === 'tier1')) return 'ok';
  const who = operatorCheck(req, adminToken);
  if (who !== 'ok' && role !== null) return new Refusal('needs-tier2', 'this needs a tier 2 help desk login (or the operator token)', 403);
  if (who !== 'ok' && who.statusCode === 404 && consoleRole !== undefined)
    return new Refusal('no-login', `log in to the help desk console (${need}) or give the operator token`, 401);
  return who;
}

/** The value of the request's cookie `name` when it is 32 random bytes in base64url (a session id, a sign-in's state), or null. */
export function cookieValue(req: FastifyRequest, name: string): string | null {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{43}$/.test(v) ? v : null;
    }
  }
  return null;
}

/** The session id of the console cookie, or null. */
export function cookieOf(req: FastifyRequest): string | null {
  return cookieValue(req, CONSOLE_COOKIE);
}

/** What each request's console cookie was found to be (ConsoleAccess.resolve, an onRequest hook): read synchronously after. */
const LOOKUPS = new WeakMap<FastifyRequest, SessionLookup>();

/** The console session of a request, as its onRequest hook found it ('none' without a cookie, or before the hook). */
export function sessionOf(req: FastifyRequest): SessionLookup {
  return LOOKUPS.get(req) ?? 'none';
}

export interface ConsoleAccess {
  /** The role of this request: its live session's, 'tier2' for the operator token, or null. */
  roleOf: RoleOf;
  /** The console's sessions, or null: the console is closed (neither serve --users nor --oidc-issuer). */
  sessions: ConsoleSessions | null;
  /** The onRequest hook that looks a request's console cookie up in the store (its idle clock restarted): before roleOf and sessionOf read it. */
  resolve(req: FastifyRequest): Promise<void>;
}

export interface ConsoleAccessOptions {
  /** The users of serve --users, or null: none (the console is closed unless `oidc` opens it). */
  users: ConsoleUser[] | null;
  /** The company's identity provider (serve --oidc-issuer); absent or null: none. */
  oidc?: ConsoleOidcOptions | null;
  adminToken: string | null;
  /** Clock of the sessions' expiry (Date.now in the server, a settable clock in tests). */
  nowMs(): number;
  idleMs: number;
  absoluteMs: number;
  /** Where the sessions are kept (the store's, so a login survives a restart), or null: in this process's memory (--no-store). */
  sessionsStore: ConsoleSessionsRepository | null;
}

export function consoleAccess(opts: ConsoleAccessOptions): ConsoleAccess {
  const closed = opts.users === null && (opts.oidc ?? null) === null;
  const sessions = closed ? null : new ConsoleSessions({ idleMs: opts.idleMs, absoluteMs: opts.absoluteMs }, opts.nowMs, opts.sessionsStore ?? undefined);
  return {
    sessions,
    resolve: async (req) => {
      const id = sessions === null ? null : cookieOf(req);
      if (sessions !== null && id !== null) LOOKUPS.set(req, await sessions.touch(id));
    },
    roleOf: (req) => {
      const s = sessionOf(req);
      if (typeof s === 'object') return s.role;
      return req.headers.authorization !== undefined && operatorCheck(req, opts.adminToken) === 'ok' ? 'tier2' : null;
    },
  };
}

/** Site tokens start with this, so a leaked one is recognised (and told from the operator token). */
export const SITE_TOKEN_PREFIX = 'cpsite_';

/** The SHA-256 (hex) the store keeps of a token. */
export function siteTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The bearer token of a request, or null. */
function bearerOf(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m?.[1] ?? null;
}

/** The live site token a request carries; `dead` for a site token this server does not know or revoked; null when it carries none. */
export async function siteTokenOf(req: FastifyRequest, siteTokens: SiteTokensRepository): Promise<SiteToken | 'dead' | null> {
  const token = bearerOf(req);
  if (token === null || !token.startsWith(SITE_TOKEN_PREFIX)) return null;
  return (await siteTokens.byHash(siteTokenHash(token))) ?? 'dead';
}

/** The refusal of a site token this server does not know, or revoked: it names the site token, never the operator's. */
export const deadSiteToken = (): Refusal =>
  new Refusal('bad-site-token', 'this site token is not known to this server or was revoked: make a live one for the site (callprobe site-token create)', 403);
