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
