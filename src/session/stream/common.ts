/** What the probe stream's parts share: an abortable wait and how an error reads in the notes. */

/** A wait that an abort ends early (resolving, not rejecting: the caller looks at the signal). */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** An error as `name: message`, as the stream's notes say it. */
export const errorText = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));
