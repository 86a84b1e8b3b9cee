/**
 * One call of `serve`'s operator API (the Bearer operator token): site reports, the all-sites
 * overview and site tokens. The answer is JSON (null for 204). A refusal (4xx) is a usage error
 * with the server's own words; no answer, an answer that is not JSON and a server failure are
 * OperatorApiError (the CLI's "could not": exit 4).
 */
import { ConfigError } from '../src/protocol/config-error.js';
import { DEFAULTS } from '../src/protocol/defaults.js';
import { TypedError } from '../src/protocol/typed-error.js';

/** Typed error: the server could not be reached, failed, or answered something else. */
export class OperatorApiError extends TypedError<'unreachable' | 'server-error' | 'bad-answer'> {
  override readonly name = 'OperatorApiError';
}

export interface OperatorCall {
  method?: 'GET' | 'POST' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  /** What was asked, for a refusal's sentence: "the server refused the site report (...)"; without it "the server refused (...)". */
  what?: string;
}

export async function operatorCall(url: URL, token: string, call: OperatorCall): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: call.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(call.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      signal: AbortSignal.timeout(DEFAULTS.siteReport.fetchTimeoutMs),
    });
  } catch (err) {
    throw new OperatorApiError('unreachable', `${url.origin} did not answer: ${(err as Error).message}`);
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch (err) {
    throw new OperatorApiError('bad-answer', `${url.origin} answered HTTP ${res.status}, not JSON (${(err as Error).message})`);
  }
  if (res.status >= 400 && res.status < 500) {
    const refusal = body as { reason?: unknown; message?: unknown } | null;
    const why = typeof refusal?.message === 'string' ? refusal.message : `HTTP ${res.status}`;
    // "no such site; did you mean Paris office?": the server's words are the whole answer.
    if (refusal?.reason === 'unknown-site') throw new ConfigError('bad-value', why);
    throw new ConfigError(
      'bad-value',
      `the server refused${call.what === undefined ? '' : ` ${call.what}`} (${res.status}${typeof refusal?.reason === 'string' ? ` ${refusal.reason}` : ''}): ${why}`,
    );
  }
  if (res.status >= 300) throw new OperatorApiError('server-error', `${url.origin} answered HTTP ${res.status}`);
  return body;
}
