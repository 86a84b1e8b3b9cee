/**
 * The console's sign-in through the company's identity provider (../console/oidc.ts), as three
 * routes of the console plugin: GET /api/console/sign-in (the ways offered, and whether the
 * provider answers), GET /api/console/oidc/start (a navigation: to the provider, with this
 * browser's sign-in bound to an HttpOnly cookie) and GET /api/console/oidc/callback (back from
 * it: the session cookie, then the console page; or the console page with ?sign-in=<why>).
 * Starts and callbacks are limited per address as password logins are; nothing an anonymous caller sends
 * reaches the provider but a start's one discovery read (at most one every `checkEveryMs`) and
 * a callback's one code exchange, for a sign-in this server began and the browser's cookie names.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CONSOLE_API, CONSOLE_PAGE } from '../../src/protocol/api-console.js';
import { CONSOLE_OIDC_CALLBACK, CONSOLE_OIDC_START, SIGN_IN_PARAM, type ConsoleSignIn, type SignInOutcome } from '../../src/protocol/api-console-sign-in.js';
import { ConsoleOidcCallbackQuery } from '../../src/protocol/api-requests.js';
import type { ConsoleSessions } from '../console/auth.js';
import { companySessionUser, OidcSignInError, type CompanySignIn } from '../console/oidc.js';
import { cookieValue } from './access.js';
import { rateLimited, Refusal } from './refusal.js';
import { sourceKey } from './signal-limits.js';

/** The cookie that binds a sign-in sent to the provider to the browser that began it (its value: the sign-in's state). */
const PENDING_COOKIE = 'callprobe_oidc';
const PENDING_PATH = `${CONSOLE_API}/oidc/`;

export interface SignInRoutesOptions {
  /** The console's sessions; null: the console is closed. */
  sessions: ConsoleSessions | null;
  /** Whether local users may sign in with a password (serve --users). */
  password: boolean;
  /** The company sign-in (serve --oidc-issuer), or null. */
  company: CompanySignIn | null;
  /** The console's session cookie (./console.ts). */
  sessionCookie(req: FastifyRequest, value: string, maxAgeS: number): string;
  absoluteMs: number;
  /** Sign-ins a minute per address (as password logins): starts, and callbacks. */
  loginsPerMinutePerAddress: number;
  /** A refused sign-in: its log line (one per source per interval). */
  refused(req: FastifyRequest, source: string, why: string, user: string): void;
  /** Refuses the request when the console is closed. */
  open(): Promise<void>;
}

/**
 * SameSite=Lax, not Strict: the provider's answer is a navigation from another site, which
 * carries Lax cookies only (RFC 6265bis §5.6.7.1).
 */
function pendingCookie(req: FastifyRequest, value: string, maxAgeS: number): string {
  const secure = req.protocol === 'https' ? '; Secure' : '';
  return `${PENDING_COOKIE}=${value}; Path=${PENDING_PATH}; Max-Age=${maxAgeS}; HttpOnly; SameSite=Lax${secure}`;
}

/** The redirect URI of this request's origin (register it at the provider); a Host that is no host name is refused. */
function callbackUrl(req: FastifyRequest): string {
  // An HTTP/1.0 request may carry no Host at all.
  const host = (req.headers.host === undefined ? undefined : req.host) ?? '';
  if (host.length > 262 || !/^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$/.test(host))
    throw new Refusal('bad-host', 'the Host header is not a host name', 400);
  return `${req.protocol}://${host}${CONSOLE_OIDC_CALLBACK}`;
}

/** Back to the console page, saying why no session was opened. */
const back = (reply: FastifyReply, why: SignInOutcome): FastifyReply => reply.redirect(`${CONSOLE_PAGE}?${SIGN_IN_PARAM}=${why}`, 303);

/** The query string of a request as sent (openid-client reads the provider's answer from it). */
function queryOf(req: FastifyRequest): string {
  const at = req.url.indexOf('?');
  return at < 0 ? '' : req.url.slice(at);
}

function companyRoutes(app: FastifyInstance, o: SignInRoutesOptions, company: CompanySignIn, sessions: ConsoleSessions): void {
  const limit = (group: string) => rateLimited(o.loginsPerMinutePerAddress, group, 'too many sign-ins');
  app.get(CONSOLE_OIDC_START, { config: limit('console-oidc-start'), preValidation: o.open }, async (req, reply) => {
    const redirectUri = callbackUrl(req);
    reply.header('cache-control', 'no-store');
    try {
      const { url, state } = await company.begin(redirectUri);
      return reply.header('set-cookie', pendingCookie(req, state, Math.floor(company.o.pendingTtlMs / 1000))).redirect(url, 303);
    } catch (err) {
      if (!(err instanceof OidcSignInError)) throw err;
      return back(reply, err.reason);
    }
  });

  app.get(
    CONSOLE_OIDC_CALLBACK,
    { config: limit('console-oidc-callback'), schema: { querystring: ConsoleOidcCallbackQuery }, preValidation: o.open },
    async (req, reply) => {
      const source = sourceKey(req.ip);
      const cookies = [pendingCookie(req, '', 0)];
      reply.header('cache-control', 'no-store');
      try {
        const account = await company.finish(cookieValue(req, PENDING_COOKIE), queryOf(req));
        const s = await sessions.start(companySessionUser(account), account.role);
        req.log.info(
          { console: 'login', via: 'oidc', user: account.shown, subject: account.subject, issuer: company.o.issuer, role: account.role },
          'console login',
        );
        cookies.push(o.sessionCookie(req, s.id, Math.floor(o.absoluteMs / 1000)));
        return reply.header('set-cookie', cookies).redirect(CONSOLE_PAGE, 303);
      } catch (err) {
        if (!(err instanceof OidcSignInError)) throw err;
        o.refused(req, source, `oidc-${err.reason}: ${err.message}`, err.account === null ? '' : `${err.account.shown} (${err.account.subject})`);
        return back(reply.header('set-cookie', cookies), err.reason);
      }
    },
  );
}

/** GET /api/console/sign-in, and the company sign-in's routes when it is offered. */
export function signInRoutes(app: FastifyInstance, o: SignInRoutesOptions): void {
  const company = o.company;
  app.get(
    `${CONSOLE_API}/sign-in`,
    { config: rateLimited(company?.o.statusPerMinutePerAddress ?? o.loginsPerMinutePerAddress, 'console-sign-in'), preValidation: o.open },
    async (_req, reply): Promise<ConsoleSignIn> => {
      reply.header('cache-control', 'no-store');
      return { password: o.password, company: company === null ? null : await company.status() };
    },
  );
  if (company !== null && o.sessions !== null) companyRoutes(app, o, company, o.sessions);
}
