/** The console's calls to the server: JSON in, JSON out, a refusal as an ApiError with the server's reason. */
import type { ErrorBody } from '../protocol/api.js';
import { TypedError } from '../protocol/typed-error.js';

/** An answer of the API that is not 2xx: the server's reason (ErrorBody), `no-reason` when its body named none. */
export class ApiError extends TypedError<string> {
  constructor(
    reason: string,
    message: string,
    readonly status: number,
  ) {
    super(reason, message);
  }
}

/** An answer's refusal (not 2xx) as an ApiError: the server's reason and words (ErrorBody), `no-reason` when its body named none. */
export async function refusalOf(res: Response): Promise<ApiError> {
  const refusal = (await res.json().catch(() => null)) as Partial<ErrorBody> | null;
  return new ApiError(refusal?.reason ?? 'no-reason', refusal?.message ?? `HTTP ${res.status}`, res.status);
}

/** GET (or `init`'s method) `path` with the console's session cookie; the JSON answer, undefined for 204. */
export async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, { credentials: 'same-origin', ...init });
  if (res.status === 204) return undefined as T;
  const body = (await res.json()) as unknown;
  if (!res.ok) {
    const refusal = body as Partial<ErrorBody> | null;
    throw new ApiError(refusal?.reason ?? 'no-reason', refusal?.message ?? `HTTP ${res.status}`, res.status);
  }
  return body as T;
}
