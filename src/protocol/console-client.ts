/**
 * The one client of the help desk console's API (./api-console.ts): who is logged in, the ways
 * to log in, logging in and out, a search and one result, each typed by what it answers; and
 * the other reads the console makes (the sites it shows), typed by the caller's check of their
 * contract. The session is the browser's HttpOnly cookie (same-origin credentials); `fetch` is
 * injected (the page's, or a test's). Every failure is a ConsoleError.
 */
import type { ErrorBody } from './api.js';
import { CONSOLE_API, type ConsoleResultView, type ConsoleSearchAnswer, type ConsoleWho } from './api-console.js';
import type { ConsoleSignIn } from './api-console-sign-in.js';
import type { Lang } from './lang.js';
import { ApiError } from './typed-error.js';

/** What this client hands to `fetch`. */
interface ConsoleFetchInit {
  method: 'GET' | 'POST';
  credentials: 'same-origin';
  headers?: Record<string, string>;
  body?: string;
}

/** The part of a fetch answer this client reads. */
interface ConsoleAnswer {
  status: number;
  ok: boolean;
  json(): Promise<unknown>;
}

/** The part of `fetch` this client uses (the browser's, or a test's). */
export type ConsoleFetch = (path: string, init: ConsoleFetchInit) => Promise<ConsoleAnswer>;

/**
 * Why a request of the console failed: `unreachable` (no HTTP answer), `refused` (not 2xx:
 * `serverReason` is the server's reason, e.g. "not-logged-in", null when its body named none;
 * the message its words, else the status), `bad-answer` (2xx that is not the contract's JSON).
 * `status` is the answer's, null when none came.
 */
export class ConsoleError extends ApiError {
  override readonly name = 'ConsoleError';

  /** A refusal because no session is open (401): the console shows its login form again. */
  get loggedOut(): boolean {
    return this.reason === 'refused' && this.status === 401;
  }
}

/** A refusal (an answer that is not 2xx) as a ConsoleError: the server's reason and words (ErrorBody), the status when it named none. */
export async function refusalOf(res: ConsoleAnswer): Promise<ConsoleError> {
  const body = (await res.json().catch(() => null)) as Partial<ErrorBody> | null;
  const reason = typeof body?.reason === 'string' ? body.reason : null;
  return new ConsoleError('refused', typeof body?.message === 'string' ? body.message : `HTTP ${res.status}`, res.status, reason);
}

/** A JSON object (not null, not an array). */
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const isWho = (v: unknown): v is ConsoleWho => isObject(v) && typeof v['name'] === 'string' && (v['role'] === 'tier1' || v['role'] === 'tier2');
const isSignIn = (v: unknown): v is ConsoleSignIn => isObject(v) && typeof v['password'] === 'boolean';
const isSearch = (v: unknown): v is ConsoleSearchAnswer => isObject(v) && Array.isArray(v['results']) && typeof v['truncated'] === 'boolean';
const isResult = (v: unknown): v is ConsoleResultView =>
  isObject(v) && typeof v['id'] === 'string' && typeof v['code'] === 'string' && Array.isArray(v['grades']) && Array.isArray(v['culprit']);

export class ConsoleClient {
  constructor(private readonly fetch: ConsoleFetch) {}

  /** GET /me: who is logged in; refused (401) when no session is open. */
  me(): Promise<ConsoleWho> {
    return this.read(`${CONSOLE_API}/me`, isWho);
  }

  /** GET /sign-in: the ways this server offers to log in. */
  signIn(): Promise<ConsoleSignIn> {
    return this.read(`${CONSOLE_API}/sign-in`, isSignIn);
  }

  /** POST /login with a console user's name and password: who is then logged in (the session cookie set). */
  login(name: string, password: string): Promise<ConsoleWho> {
    return this.read(`${CONSOLE_API}/login`, isWho, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password }),
    });
  }

  /** POST /logout: the session ends. */
  async logout(): Promise<void> {
    await this.answer(`${CONSOLE_API}/logout`, { method: 'POST' });
  }

  /** GET /results?`query` (code, ticket, site, from, to, verdict, tz): the rows found. */
  search(query: string): Promise<ConsoleSearchAnswer> {
    return this.read(`${CONSOLE_API}/results?${query}`, isSearch);
  }

  /** GET /results/:id: one result, its times in `timeZone`, its words in `lang` (redacted for tier 1 by the server). */
  result(id: string, timeZone: string, lang: Lang): Promise<ConsoleResultView> {
    return this.read(`${CONSOLE_API}/results/${encodeURIComponent(id)}?tz=${encodeURIComponent(timeZone)}&lang=${encodeURIComponent(lang)}`, isResult);
  }

  /** GET `path` (or `init`'s method) with the session: its JSON answer, when `is` finds it the contract's. */
  async read<T>(path: string, is: (v: unknown) => v is T, init: Omit<ConsoleFetchInit, 'credentials'> = { method: 'GET' }): Promise<T> {
    const res = await this.answer(path, init);
    const body = await res.json().catch(() => undefined);
    if (!is(body)) throw new ConsoleError('bad-answer', `${path.split('?')[0] ?? path} answered ${res.status} without what it should`, res.status);
    return body;
  }

  /** The 2xx answer to `path`; a refusal or no answer thrown as a ConsoleError. */
  private async answer(path: string, init: Omit<ConsoleFetchInit, 'credentials'>): Promise<ConsoleAnswer> {
    let res: ConsoleAnswer;
    try {
      res = await this.fetch(path, { credentials: 'same-origin', ...init });
    } catch (err) {
      throw new ConsoleError('unreachable', err instanceof Error ? err.message : String(err));
    }
    if (!res.ok) throw await refusalOf(res);
    return res;
  }
}
