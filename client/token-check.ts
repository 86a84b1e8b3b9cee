/**
 * Before a test, `run --site` with a token (and the scheduler, before its first sample) asks the
 * server whether that token may store the site's samples (POST /api/results/check), so a wrong or
 * revoked token is found in a second, before a browser starts, not after every test. Only an
 * explicit 401/403 that names the token (TOKEN_REFUSALS) refuses it; no answer, a server too old
 * to have the check, or any other answer leaves it unknown: the test goes on (its sample waits in
 * the spool if need be).
 */
import { TOKEN_REFUSALS, UPLOAD_CHECK_PATH, type UploadCheckAnswer } from '../src/protocol/api.js';
import { ConfigError } from '../src/protocol/config-error.js';
import { DEFAULTS } from '../src/protocol/defaults.js';
import { oneLine } from './exit.js';
import { unreachableWhy } from './server-check.js';

/** Site tokens start with this (server/http/access.ts SITE_TOKEN_PREFIX): told from the operator token in what is said. */
const SITE_TOKEN_PREFIX = 'cpsite_';

type TokenCheck =
  /** The token may store samples of the site. */
  | { kind: 'ok'; answer: UploadCheckAnswer }
  /** The server refused the token (401/403 naming it): its reason and words. */
  | { kind: 'refused'; status: number; reason: string; message: string }
  /** Not known: no answer, an old server without the check, another answer. */
  | { kind: 'unknown'; why: string };

/** Which token it is, in words: "the site token" or "the operator token". */
export function tokenWords(token: string): string {
  return token.startsWith(SITE_TOKEN_PREFIX) ? 'the site token' : 'the operator token';
}

/** Whether an upload's refusal is for its token (401, 403: whatever the reason, nothing about the sample): it then waits for a good one. */
export function refusedForToken(status: number | null): boolean {
  return status === 401 || status === 403;
}

/** Whether an upload's refusal is for the sample itself (malformed, too large, not JSON): no token will change it. */
export function refusedAsMalformed(status: number | null): boolean {
  return status === 400 || status === 413 || status === 415 || status === 422;
}

/** An answer's JSON object, or null (not JSON: a proxy's page names no token). */
function parsed(text: string): { reason?: unknown; message?: unknown; site?: unknown; token?: unknown } | null {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

async function checkUploadToken(server: string, site: string, token: string, timeoutMs: number = DEFAULTS.serverCheckTimeoutMs): Promise<TokenCheck> {
  const url = new URL(UPLOAD_CHECK_PATH, server);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ site }),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    text = await res.text();
  } catch (err) {
    return { kind: 'unknown', why: `cannot reach ${url.origin}: ${unreachableWhy(err, timeoutMs)}` };
  }
  const body = parsed(text);
  if (res.status === 200 && typeof body?.site === 'string' && (body.token === 'operator' || body.token === 'site'))
    return { kind: 'ok', answer: { site: body.site, token: body.token } };
  const reason = typeof body?.reason === 'string' ? body.reason : null;
  if ((res.status === 401 || res.status === 403) && reason !== null && TOKEN_REFUSALS.includes(reason))
    return { kind: 'refused', status: res.status, reason, message: typeof body?.message === 'string' ? body.message : `HTTP ${res.status}` };
  return {
    kind: 'unknown',
    why:
      res.status === 404 && reason === null
        ? `${url.origin} has no token check (an older callprobe)`
        : `${url.origin} answered HTTP ${res.status}${reason === null ? '' : ` (${reason})`}`,
  };
}

/**
 * The token check before a test of `site`: a refused token is a usage error (exit 3) that names
 * the token and the site; an unknown answer is said (`warn`) and the test goes on.
 */
export async function requireUploadToken(server: string, site: string, token: string, warn: (line: string) => void): Promise<void> {
  const r = await checkUploadToken(server, site, token);
  if (r.kind === 'ok') return;
  if (r.kind === 'unknown') {
    warn(`could not check ${tokenWords(token)} for "${site}" before the test (${oneLine(r.why)}): testing anyway`);
    return;
  }
  throw new ConfigError(
    'bad-value',
    `the server refused ${tokenWords(token)} for the site "${site}" (${r.status} ${r.reason}): ${oneLine(r.message)}; ${ADVICE_GIVEN.has(r.reason) ? 'give it' : 'give a live token of this site (callprobe site-token create)'} in --token or CALLPROBE_TOKEN`,
  );
}

/** The refusals whose words already say to make a live token (server/http/access.ts): the advice is not said twice. */
const ADVICE_GIVEN: ReadonlySet<string> = new Set(['bad-site-token']);
