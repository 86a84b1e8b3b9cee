/**
 * The help desk console's routes (issue 12): login (scrypt, rate-limited per address and per
 * user name), a session cookie (HttpOnly, SameSite=Strict, Secure over https), logout, search
 * and one result (redacted for tier 1, audited for tier 2). Without serve --users every route
 * answers 404 with the reason. The operator token counts as tier 2 (automation).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CONSOLE_API, CONSOLE_COOKIE, CONSOLE_PAGE, type ConsoleSearchAnswer, type ConsoleWho } from '../../src/protocol/api.js';
import { BOUNDS, ConfigError, DEFAULTS, parsePassword, parseTimeZone, parseUserName } from '../../src/protocol/defaults.js';
import { parseIsoMs } from '../reports/upload.js';
import { sourceKey } from './signal-limits.js';
import { checked, operatorCheck, parseCodeParam, Refusal, resultsErrorHandler } from './results.js';
import { ConsoleSessions, hashPassword, verifyPassword, type ConsoleRole, type ConsoleSession, type ConsoleUser } from '../console/auth.js';
import { consoleResultView, localTime, scrubAddresses } from '../console/view.js';
import type { ResultStore, StoredResult } from '../store/types.js';

export interface ConsoleOptions {
  /** The users of serve --users, or null: the console is closed. */
  users: ConsoleUser[] | null;
  store: ResultStore | null;
  adminToken: string | null;
  /** Clock of the sessions' expiry (Date.now in the server, a settable clock in tests). */
  nowMs(): number;
  idleMs: number;
  absoluteMs: number;
  loginsPerMinutePerAddress: number;
  loginsPerMinutePerUser: number;
  /** Whether the built page has console.html. */
  pageBuilt: boolean;
}

export interface ConsoleAccess {
  /** The role of this request: its live session's, 'tier2' for the operator token, or null. */
  roleOf(req: FastifyRequest): ConsoleRole | null;
  sessions: ConsoleSessions | null;
}

function cookieOf(req: FastifyRequest): string | null {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === CONSOLE_COOKIE) {
      const v = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{43}$/.test(v) ? v : null;
    }
  }
  return null;
}

function sessionOf(req: FastifyRequest, sessions: ConsoleSessions): ConsoleSession | 'unknown' | 'expired' | 'none' {
  const id = cookieOf(req);
  return id === null ? 'none' : sessions.touch(id);
}

export function consoleAccess(opts: Pick<ConsoleOptions, 'users' | 'nowMs' | 'idleMs' | 'absoluteMs' | 'adminToken'>): ConsoleAccess {
  const sessions = opts.users === null ? null : new ConsoleSessions({ idleMs: opts.idleMs, absoluteMs: opts.absoluteMs }, opts.nowMs);
  return {
    sessions,
    roleOf: (req) => {
      if (sessions !== null) {
        const s = sessionOf(req, sessions);
        if (typeof s === 'object') return s.role;
      }
      return req.headers.authorization !== undefined && operatorCheck(req, opts.adminToken) === 'ok' ? 'tier2' : null;
    },
  };
}

function cookie(req: FastifyRequest, value: string, maxAgeS: number): string {
  const secure = req.protocol === 'https' ? '; Secure' : '';
  return `${CONSOLE_COOKIE}=${value}; Path=/; Max-Age=${maxAgeS}; HttpOnly; SameSite=Strict${secure}`;
}

/** A query parameter given at most once, bounded. */
function param(q: Record<string, unknown>, name: string, maxChars: number = BOUNDS.siteChars): string | null {
  const v = q[name];
  if (v === undefined || v === '') return null;
  if (typeof v !== 'string') throw new Refusal(400, 'bad-query', `give ${name} once`);
  if (v.length > maxChars) throw new Refusal(400, 'bad-query', `${name} is at most ${maxChars} characters`);
  return v;
}

function timeParam(q: Record<string, unknown>, name: string): number | null {
  const v = param(q, name, 40);
  if (v === null) return null;
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(v) ? parseIsoMs(`${v}T00:00:00Z`) : parseIsoMs(v);
  if (ms === null) throw new Refusal(400, 'bad-time', `${name} must be ISO 8601 with a zone, e.g. 2026-01-31T08:00:00Z or 2026-01-31T09:00:00+01:00`);
  return ms;
}

function tzParam(q: Record<string, unknown>): string {
  const v = param(q, 'tz', BOUNDS.timeZoneChars);
  return v === null ? DEFAULTS.siteReport.timeZone : checked('bad-tz', () => parseTimeZone(v, 'tz'));
}

export async function registerConsole(app: FastifyInstance, opts: ConsoleOptions, access: ConsoleAccess): Promise<void> {
  const users = new Map((opts.users ?? []).map((u) => [u.name, u]));
  // Unknown names still cost one scrypt: a login's time does not tell which names exist.
  const decoy = opts.users === null ? '' : await hashPassword('callprobe decoy password');
  /** Password checks running now (bounded by DEFAULTS.console.maxLoginsInFlight). */
  let loginsInFlight = 0;
  const closed = (): Refusal =>
    new Refusal(404, 'console-closed', 'the help desk console is closed on this server: start serve with --users FILE (see callprobe hash-password)');

  /** The session (or the operator as tier 2) of a console request, at least `need`. */
  const who = (req: FastifyRequest, need: ConsoleRole): ConsoleWho => {
    const sessions = access.sessions;
    if (sessions === null) throw closed();
    const s = sessionOf(req, sessions);
    if (typeof s === 'object') {
      if (need === 'tier2' && s.role !== 'tier2') throw new Refusal(403, 'needs-tier2', 'this needs a tier 2 login');
      return { name: s.user, role: s.role };
    }
    if (req.headers.authorization !== undefined) {
      const op = operatorCheck(req, opts.adminToken);
      if (op === 'ok') return { name: 'operator', role: 'tier2' };
    }
    if (s === 'expired') throw new Refusal(401, 'session-expired', 'your session expired: log in again');
    throw new Refusal(401, 'no-login', 'log in first');
  };
  const store = (): ResultStore => {
    if (opts.store === null) throw new Refusal(404, 'no-store', 'this server does not store results (serve --no-store)');
    return opts.store;
  };
  const limitedBy = (max: number, key: (req: FastifyRequest) => string) => ({
    max,
    timeWindow: 60_000,
    keyGenerator: key,
    errorResponseBuilder: (_req: FastifyRequest, ctx: { after: string }) => new Refusal(429, 'rate-limited', `too many login attempts: retry in ${ctx.after}`),
  });
  // Per user name, whatever the address (the route's own limit is per address): checked once the body is read.
  const perUser = app.createRateLimit({
    max: opts.loginsPerMinutePerUser,
    timeWindow: 60_000,
    keyGenerator: (req: FastifyRequest) => {
      const name = (req.body as { name?: unknown } | null)?.name;
      return `console-user:${typeof name === 'string' ? name.slice(0, BOUNDS.userNameChars.max).toLowerCase() : ''}`;
    },
  });

  app.post(
    `${CONSOLE_API}/login`,
    {
      bodyLimit: 4096,
      errorHandler: resultsErrorHandler,
      config: {
        rateLimit: { ...limitedBy(opts.loginsPerMinutePerAddress, (req) => `console-login:${sourceKey(req.ip)}`), groupId: 'console-login' },
      },
    },
    async (req, reply) => {
      if (access.sessions === null) throw closed();
      const body = req.body as { name?: unknown; password?: unknown } | null;
      if (typeof body?.name !== 'string' || typeof body.password !== 'string')
        throw new Refusal(400, 'bad-login', 'send { "name": ..., "password": ... } as JSON');
      const name = body.name;
      const password = body.password;
      const limit = await perUser(req);
      // isAllowed means "on the allow list"; isExceeded is the limit.
      if (!limit.isAllowed && limit.isExceeded)
        throw new Refusal(429, 'rate-limited', `too many login attempts for this user name: retry in ${limit.ttlInSeconds} s`);
      try {
        parseUserName(name);
        parsePassword(password);
      } catch (err) {
        if (err instanceof ConfigError) throw new Refusal(401, 'bad-login', 'wrong user name or password');
        throw err;
      }
      const user = users.get(name);
      if (loginsInFlight >= DEFAULTS.console.maxLoginsInFlight)
        throw new Refusal(503, 'busy', 'too many logins at once on this server: try again in a few seconds');
      loginsInFlight++;
      let ok: boolean;
      try {
        ok = await verifyPassword(password, user?.passwordHash ?? decoy);
      } finally {
        loginsInFlight--;
      }
      if (!user || !ok) {
        req.log.warn({ console: 'login-failed', user: name.slice(0, 64), source: sourceKey(req.ip) }, 'console login failed');
        throw new Refusal(401, 'bad-login', 'wrong user name or password');
      }
      const s = access.sessions.start(user.name, user.role);
      req.log.info({ console: 'login', user: user.name, role: user.role }, 'console login');
      reply.header('set-cookie', cookie(req, s.id, Math.floor(opts.absoluteMs / 1000))).header('cache-control', 'no-store');
      return { name: user.name, role: user.role } satisfies ConsoleWho;
    },
  );

  app.post(`${CONSOLE_API}/logout`, { errorHandler: resultsErrorHandler }, async (req, reply) => {
    if (access.sessions === null) throw closed();
    const id = cookieOf(req);
    if (id !== null) access.sessions.end(id);
    return reply
      .code(204)
      .header('set-cookie', cookie(req, '', 0))
      .send();
  });

  app.get(`${CONSOLE_API}/me`, { errorHandler: resultsErrorHandler }, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    return who(req, 'tier1');
  });

  app.get<{ Querystring: Record<string, unknown> }>(
    `${CONSOLE_API}/results`,
    { errorHandler: resultsErrorHandler },
    async (req, reply): Promise<ConsoleSearchAnswer> => {
      const agent = who(req, 'tier1');
      const free = (t: string | null): string | null => (t === null || agent.role === 'tier2' ? t : scrubAddresses(t));
      const q = req.query;
      const timeZone = tzParam(q);
      const codeText = param(q, 'code', 16);
      const verdict = param(q, 'verdict', 16);
      if (verdict !== null && !['pass', 'fail', 'insufficient', 'could-not-test'].includes(verdict))
        throw new Refusal(400, 'bad-verdict', 'verdict is pass, fail, insufficient or could-not-test');
      const fromMs = timeParam(q, 'from');
      const toMs = timeParam(q, 'to');
      const max = DEFAULTS.console.searchMaxRows;
      let rows: StoredResult[];
      if (codeText !== null) {
        const code = parseCodeParam(codeText);
        if (code === null) throw new Refusal(400, 'bad-code', 'a result code is 8 letters and digits, e.g. 7K3M-Q2XA');
        const r = await store().getByCode(code);
        rows = r === null ? [] : [r];
      } else {
        rows = await store().list({
          sinceMs: fromMs,
          untilMs: toMs,
          site: param(q, 'site'),
          ticket: param(q, 'ticket'),
          verdict: verdict === 'could-not-test' ? null : verdict,
          couldNotTest: verdict === 'could-not-test' ? true : null,
          limit: max + 1,
          newestFirst: true,
        });
      }
      reply.header('cache-control', 'no-store');
      return {
        truncated: rows.length > max,
        results: rows.slice(0, max).map((r) => ({
          id: r.id,
          code: r.code,
          kind: r.kind,
          startedAt: new Date(r.startedAtMs).toISOString(),
          startedAtLocal: localTime(r.startedAtMs, timeZone),
          site: free(r.site),
          ticket: free(r.ticket),
          verdict: r.verdict,
        })),
      };
    },
  );

  app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>(
    `${CONSOLE_API}/results/:id`,
    { errorHandler: resultsErrorHandler },
    async (req, reply) => {
      const agent = who(req, 'tier1');
      const timeZone = tzParam(req.query);
      const code = /^[0-9a-f]{32}$/.test(req.params.id) ? null : parseCodeParam(req.params.id);
      const id = code === null ? req.params.id : ((await store().getByCode(code))?.id ?? null);
      const r = id !== null && /^[0-9a-f]{32}$/.test(id) ? await store().getById(id) : null;
      if (r === null) throw new Refusal(404, 'unknown-id', 'no result has this id or code');
      const view = await consoleResultView(store(), r, agent.role, timeZone);
      if (agent.role === 'tier2' && r.addresses.length > 0)
        req.log.info(
          { audit: 'personal-data-view', user: agent.name, resultId: r.id, code: r.code, addresses: r.addresses.length },
          'console: client address viewed',
        );
      reply.header('cache-control', 'no-store');
      return view;
    },
  );

  app.get(CONSOLE_PAGE, { errorHandler: resultsErrorHandler }, async (_req, reply: FastifyReply) => {
    if (access.sessions === null) throw closed();
    if (!opts.pageBuilt) return reply.code(503).type('text/plain').send('page not built: run `npm run build`\n');
    return reply.sendFile('console.html');
  });
}
