/**
 * A signal that aborts when any of the given ones does, with that one's reason: AbortSignal.any
 * where the browser has it, else the same made by hand (AbortSignal.any came in Chrome 116,
 * Firefox 124 and Safari 17.4; an older browser must not fail the busy-line phase for it).
 */
export function anySignal(signals: readonly AbortSignal[], native: boolean = typeof AbortSignal.any === 'function'): AbortSignal {
  if (native) return AbortSignal.any([...signals]);
  const controller = new AbortController();
  const already = signals.find((s) => s.aborted);
  if (already) {
    controller.abort(already.reason);
    return controller.signal;
  }
  const stop = new AbortController();
  for (const s of signals) {
    s.addEventListener(
      'abort',
      () => {
        controller.abort(s.reason);
        // Every listener goes with the first abort: the inputs may outlive this signal.
        stop.abort();
      },
      { once: true, signal: stop.signal },
    );
  }
  return controller.signal;
}
