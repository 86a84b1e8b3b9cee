/**
 * The one shape of our typed errors: a machine-readable `reason` beside the plain message, and
 * the error underneath where there is one. Each error keeps its own class (and `name`) so a
 * caller can tell them apart with `instanceof`. Pure.
 */
export class TypedError<R extends string> extends Error {
  constructor(
    readonly reason: R,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A typed error whose message starts with its reason: `reason: detail`. */
export class ReasonedError<R extends string> extends TypedError<R> {
  constructor(reason: R, detail: string, options?: { cause?: unknown }) {
    super(reason, `${reason}: ${detail}`, options);
  }
}

/**
 * A request to our own HTTP API that failed: `unreachable` (no HTTP answer), `refused` (not 2xx;
 * `serverReason` is the server's reason from its error body, null when it named none),
 * `bad-answer` (2xx that is not the contract's JSON). `status` is the answer's, null when none
 * came. Each client keeps its own subclass (ResultsError, ConsoleError) for `instanceof`.
 */
export class ApiError extends TypedError<'unreachable' | 'refused' | 'bad-answer'> {
  constructor(
    reason: 'unreachable' | 'refused' | 'bad-answer',
    message: string,
    readonly status: number | null = null,
    readonly serverReason: string | null = null,
  ) {
    super(reason, message);
  }
}
