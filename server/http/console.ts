/**
 * The help desk console plugin: login (scrypt; rate-limited per address, wrong passwords
 * throttled per user name and address with a growing wait: login-throttle.ts), or sign-in
 * through the company's identity provider (./console-oidc.ts), a session cookie (HttpOnly,
 * SameSite=Strict, Secure over https), logout, search and one result (redacted for tier 1,
 * audited for tier 2, naming a company account's subject). Without serve --users or
 * --oidc-issuer every route answers 404 with the reason. The operator token counts as tier 2
 * (automation).
 */
import { loadMessages } from '../../src/analysis/present/catalogue.js';
import { langOfRequest } from '../../src/protocol/lang.js';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { CONSOLE_API, CONSOLE_COOKIE, CONSOLE_PAGE, type ConsoleRole, type ConsoleSearchAnswer, type ConsoleWho } from '../../src/protocol/api-console.js';
import {
  ConsoleLoginBody,
  ConsoleResultQuery,
  ConsoleSearchQuery,
  ResultIdParams,
  type ConsoleLogin,
  type ConsoleSearch,
} from '../../src/protocol/api-requests.js';
import { BOUNDS, CONSTANTS } from '../../src/protocol/defaults.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import { parsePassword, parseUserName } from '../console/credentials.js';
import { parseTimeZone } from '../../src/protocol/values.js';
import { sourceKey } from './signal-limits.js';
import { hashPassword, verifyPassword, type ConsoleUser } from '../console/auth.js';
import { LoginThrottle, type LoginThrottleSettings } from '../console/login-throttle.js';
import { LoginSlots } from '../console/login-slots.js';
import { networkKey } from '../common/source-key.js';
import { consoleChain, consoleResultView, consoleRow, scrubAddresses } from '../console/view.js';
import { CompanySignIn, sessionAgent } from '../console/oidc.js';
import type { ConsoleOidcOptions } from '../console/oidc-config.js';
import { signInRoutes } from './console-oidc.js';
import type { ResultsRepository, StoredResult } from '../store/results/types.js';
import type { SitesRepository } from '../store/sites/types.js';
import type { ChainRepository } from '../store/chain/types.js';
import { cookieOf, operatorCheck, sessionOf, type ConsoleAccess } from './access.js';
import { codeParam, findResult, given, instantMs } from './query.js';
import { checked, rateLimited, Refusal, refusalHandler } from './refusal.js';

/** Who a console request is: the name shown and the tier, and for a company account its subject at the provider. */
type Agent = ConsoleWho & { subject?: string };

/** What the console reads of the store. */
interface ConsoleStore {
  results: ResultsRepository;
  sites: SitesRepository;
  chain: ChainRepository;
}

export interface ConsoleOptions {
  /** The users of serve --users, or null: no password logins (the console is closed unless `oidc` opens it). */
  users: ConsoleUser[] | null;
  /** Sign-in through the company's identity provider (serve --oidc-issuer); absent or null: none. */
  oidc?: ConsoleOidcOptions | null;
  /** The results searched and shown, and the sites (a result's baseline); null when serve runs with --no-store. */
  store: ConsoleStore | null;
  adminToken: string | null;
  /** Clock of the sessions' expiry (Date.now in the server, a settable clock in tests). */
  nowMs(): number;
  idleMs: number;
  absoluteMs: number;
  loginsPerMinutePerAddress: number;
  /** Wrong passwords per (user name, source): DEFAULTS.console.loginThrottle. */
  loginThrottle: LoginThrottleSettings;
  /** Whether the built page has console.html. */
  pageBuilt: boolean;
  /** Who a request is (consoleAccess): the sessions this plugin starts and ends. */
  access: ConsoleAccess;
}

function cookie(req: FastifyRequest, value: string, maxAgeS: number): string {
  const secure = req.protocol === 'https' ? '; Secure' : '';
  return `${CONSOLE_COOKIE}=${value}; Path=/; Max-Age=${maxAgeS}; HttpOnly; SameSite=Strict${secure}`;
}

/** ?from= and ?to=: an ISO 8601 time with a zone, or a date (midnight UTC). */
function timeParam(v: string | undefined, name: string): number | null {
  const text = given(v);
  if (text === null) return null;
  const ms = instantMs(text);
  if (ms === null) throw new Refusal('bad-time', `${name} must be ISO 8601 with a zone, e.g. 2026-01-31T08:00:00Z or 2026-01-31T09:00:00+01:00`, 400);
  return ms;
}

function tzParam(v: string | undefined): string {
  const tz = given(v);
  return tz === null ? CONSTANTS.siteReport.timeZone : checked('bad-tz', () => parseTimeZone(tz, 'tz'));
}

/**
 * GET /api/console/results: by code, or by time, site, ticket and verdict, newest first; free
 * text (site, ticket) scrubbed of addresses for tier 1. `store` is asked for only once the
 * parameters are checked.
 */
async function search(store: () => ConsoleStore, agent: ConsoleWho, q: ConsoleSearch): Promise<ConsoleSearchAnswer> {
  const free = (t: string | null): string | null => (t === null || agent.role === 'tier2' ? t : scrubAddresses(t));
  const timeZone = tzParam(q.tz);
  const codeText = given(q.code);
  const verdict = given(q.verdict);
  const fromMs = timeParam(q.from, 'from');
  const toMs = timeParam(q.to, 'to');
  const max = CONSTANTS.console.searchMaxRows;
  let rows: StoredResult[];
  if (codeText !== null) {
    const code = codeParam(codeText);
    if (code === null) throw new Refusal('bad-code', 'a result code is 8 letters and digits, e.g. 7K3M-Q2XA', 400);
    const r = await store().results.getByCode(code);
    rows = r === null ? [] : [r];
  } else {
    rows = await store().results.list({
      sinceMs: fromMs,
      untilMs: toMs,
      site: given(q.site),
      // A site search finds what a ?site= link named without the token too; each row says which it is.
      siteUnverifiedToo: true,
      ticketPrefix: given(q.ticket?.trim()),
      verdict: verdict === 'could-not-test' ? null : verdict,
      couldNotTest: verdict === 'could-not-test' ? true : null,
      limit: max + 1,
      newestFirst: true,
    });
  }
  return {
    truncated: rows.length > max,
    results: rows.slice(0, max).map((r) => {
      const row = consoleRow(r, timeZone);
      return { ...row, site: free(row.site), siteUnverified: free(row.siteUnverified), ticket: free(row.ticket) };
    }),
  };
}

const closed = (): Refusal =>
  new Refusal(
    'console-closed',
    'the help desk console is closed on this server: start serve with --users FILE (see callprobe hash-password) or --oidc-issuer URL',
    404,
  );

/** What the password login shares with the rest of the plugin: the throttle of wrong passwords, the refusals' log, the check that the console is open. */
interface LoginParts {
  throttle: LoginThrottle;
  refused(req: FastifyRequest, source: string, why: string, user: string): void;
  open(): Promise<void>;
}

/** POST /api/console/login: a local user's name and password (serve --users). */
async function passwordLoginRoute(app: FastifyInstance, opts: ConsoleOptions, { throttle, refused, open }: LoginParts): Promise<void> {
  const access = opts.access;
  const users = new Map((opts.users ?? []).map((u) => [u.name, u]));
  // Unknown names still cost one scrypt: a login's time does not tell which names exist.
  const decoy = opts.users === null ? '' : await hashPassword('callprobe decoy password');
  /**
   * Password checks running now (CONSTANTS.console.maxLoginsInFlight, one more for a clean
   * network, a queue for known ones: login-slots.ts), one at a time per network (an IPv6 /48: its
   * /64s are one sprayer); a user's known network has its own.
   */
  const slots = new LoginSlots(CONSTANTS.console.maxLoginsInFlight, CONSTANTS.console.knownLoginWaitMs);
  const passwords = async (): Promise<void> => {
    await open();
    if (opts.users === null)
      throw new Refusal('no-password-login', "this console signs in through the company's identity provider only (serve has no --users)", 404);
  };

  app.post<{ Body: ConsoleLogin }>(
    `${CONSOLE_API}/login`,
    {
      bodyLimit: 4096,
      config: rateLimited(opts.loginsPerMinutePerAddress, 'console-login', 'too many login attempts', (req) => `console-login:${sourceKey(req.ip)}`),
      schema: { body: ConsoleLoginBody },
      preValidation: passwords,
    },
    async (req, reply) => {
      const sessions = access.sessions;
      if (sessions === null) throw closed();
      const { name, password } = req.body;
      const source = sourceKey(req.ip);
      const network = networkKey(req.ip);
      const account = name.slice(0, BOUNDS.userNameChars.max).toLowerCase();
      const gate = throttle.check(account, source);
      if (!gate.allowed) {
        refused(req, source, 'throttled', name);
        const retryS = Math.ceil(gate.retryAfterMs / 1000);
        reply.header('retry-after', String(retryS));
        throw new Refusal('rate-limited', `too many wrong passwords for this user name from your address: retry in ${retryS} s`, 429);
      }
      const wrong = (): Refusal => {
        throttle.failed(account, source, network);
        refused(req, source, 'wrong-password', name);
        return new Refusal('bad-login', 'wrong user name or password', 401);
      };
      try {
        parseUserName(name);
        parsePassword(password);
      } catch (err) {
        if (err instanceof ConfigError) throw wrong();
        throw err;
      }
      const user = users.get(name);
      // A network this user logged in from before: checked first, one at a time of its own (a spray from its network does not hold it).
      const known = user !== undefined && throttle.knows(account, network);
      // Past the shared slots, one more check for a network with no recent wrong password, and a
      // wait for the next free one for a known network: a spray cannot keep the help desk out.
      const ok = await slots.run(known ? JSON.stringify([account, network]) : network, { clean: !throttle.recentlyFailed(network), known }, () =>
        verifyPassword(password, user?.passwordHash ?? decoy),
      );
      if (ok === 'one-at-a-time') {
        refused(req, source, 'one-at-a-time', name);
        reply.header('retry-after', '1');
        throw new Refusal('rate-limited', 'one login at a time from your network: retry in 1 s', 429);
      }
      if (ok === 'busy') throw new Refusal('busy', 'too many logins at once on this server: try again in a few seconds', 503);
      if (!user || !ok) throw wrong();
      throttle.succeeded(account, source, network);
      const s = await sessions.start(user.name, user.role);
      req.log.info({ console: 'login', user: user.name, role: user.role }, 'console login');
      reply.header('set-cookie', cookie(req, s.id, Math.floor(opts.absoluteMs / 1000))).header('cache-control', 'no-store');
      return { name: user.name, role: user.role } satisfies ConsoleWho;
    },
  );
}

export const consolePlugin: FastifyPluginAsync<ConsoleOptions> = async (app, opts) => {
  app.setErrorHandler(refusalHandler);
  const access = opts.access;
  const open = async (): Promise<void> => {
    if (access.sessions === null) throw closed();
  };

  /** The session (or the operator as tier 2) of a console request, at least `need`. */
  const who = (req: FastifyRequest, need: ConsoleRole): Agent => {
    const sessions = access.sessions;
    if (sessions === null) throw closed();
    const s = sessionOf(req);
    if (typeof s === 'object') {
      if (need === 'tier2' && s.role !== 'tier2') throw new Refusal('needs-tier2', 'this needs a tier 2 login', 403);
      const agent = sessionAgent(s.user);
      return { name: agent.name, role: s.role, ...(agent.subject !== null ? { subject: agent.subject } : {}) };
    }
    if (req.headers.authorization !== undefined) {
      const op = operatorCheck(req, opts.adminToken);
      if (op === 'ok') return { name: 'operator', role: 'tier2' };
    }
    if (s === 'expired') throw new Refusal('session-expired', 'your session expired: log in again', 401);
    throw new Refusal('no-login', 'log in first', 401);
  };
  /** Who asked, found before the request's schema is checked (a stranger learns nothing of the parameters). */
  const agents = new WeakMap<FastifyRequest, Agent>();
  const tier1 = async (req: FastifyRequest): Promise<void> => {
    agents.set(req, who(req, 'tier1'));
  };
  const agentOf = (req: FastifyRequest): Agent => agents.get(req) ?? who(req, 'tier1');
  const store = (): ConsoleStore => {
    if (opts.store === null) throw new Refusal('no-store', 'this server does not store results (serve --no-store)', 404);
    return opts.store;
  };
  // Wrong passwords per (user name, source), never per user name alone: see login-throttle.ts.
  const throttle = new LoginThrottle(opts.loginThrottle, opts.nowMs);
  /** A refused login: one log line per source per interval, with how many went unlogged. */
  const refused = (req: FastifyRequest, source: string, why: string, user: string): void => {
    const line = throttle.logRefusal(source);
    if (line !== null)
      req.log.warn({ console: 'login-refused', why: why.slice(0, 300), user: user.slice(0, 300), source, unlogged: line.suppressed }, 'console login refused');
  };
  signInRoutes(app, {
    sessions: access.sessions,
    password: opts.users !== null,
    company: opts.oidc ? new CompanySignIn(opts.oidc, opts.nowMs, app.log) : null,
    sessionCookie: cookie,
    absoluteMs: opts.absoluteMs,
    loginsPerMinutePerAddress: opts.loginsPerMinutePerAddress,
    refused,
    open,
  });
  await passwordLoginRoute(app, opts, { throttle, refused, open });

  app.post(`${CONSOLE_API}/logout`, async (req, reply) => {
    if (access.sessions === null) throw closed();
    const id = cookieOf(req);
    if (id !== null) await access.sessions.end(id);
    return reply
      .code(204)
      .header('set-cookie', cookie(req, '', 0))
      .send();
  });

  app.get(`${CONSOLE_API}/me`, async (req, reply): Promise<ConsoleWho> => {
    reply.header('cache-control', 'no-store');
    const agent = who(req, 'tier1');
    return { name: agent.name, role: agent.role };
  });

  app.get<{ Querystring: ConsoleSearch }>(
    `${CONSOLE_API}/results`,
    { schema: { querystring: ConsoleSearchQuery }, preValidation: tier1 },
    async (req, reply): Promise<ConsoleSearchAnswer> => {
      const answer = await search(store, agentOf(req), req.query);
      reply.header('cache-control', 'no-store');
      return answer;
    },
  );

  app.get<{ Params: Static<typeof ResultIdParams>; Querystring: Static<typeof ConsoleResultQuery> }>(
    `${CONSOLE_API}/results/:id`,
    { schema: { params: ResultIdParams, querystring: ConsoleResultQuery }, preValidation: tier1 },
    async (req, reply) => {
      const agent = agentOf(req);
      const timeZone = tzParam(req.query.tz);
      const r = await findResult(store().results, req.params.id);
      if (r === null) throw new Refusal('unknown-id', 'no result has this id or code', 404);
      const links = await store().chain.linksOf(r.code, BOUNDS.consoleChainLaterMax);
      // What to tell the user, in the help desk's language: ?lang=, then Accept-Language, then English.
      const words = await loadMessages(langOfRequest(given(req.query.lang) ?? undefined, req.headers['accept-language']));
      const view = await consoleResultView(store().sites, r, agent.role, timeZone, consoleChain(links, timeZone), words);
      reply.header('vary', 'accept-language');
      if (agent.role === 'tier2' && r.addresses.length > 0)
        req.log.info(
          {
            audit: 'personal-data-view',
            user: agent.name,
            // A company account: its subject at the provider (the name shown is the provider's too, and may change).
            ...(agent.subject !== undefined ? { subject: agent.subject, issuer: opts.oidc?.issuer } : {}),
            resultId: r.id,
            code: r.code,
            addresses: r.addresses.length,
          },
          'console: client address viewed',
        );
      reply.header('cache-control', 'no-store');
      return view;
    },
  );

  app.get(CONSOLE_PAGE, async (_req, reply: FastifyReply) => {
    if (access.sessions === null) throw closed();
    if (!opts.pageBuilt) return reply.code(503).type('text/plain').send('page not built: run `npm run build`\n');
    return reply.sendFile('console.html');
  });
};
