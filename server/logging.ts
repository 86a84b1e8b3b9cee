/**
 * `serve`'s one log: JSON lines (pino) for a journal or a collector, or, when a person watches
 * the terminal (standard output is a TTY), the same records made readable by pino-pretty
 * (time, level, message and fields on one line), so the terminal never mixes JSON with the
 * human lines serve prints on standard error. The relay and the HTTP app log through it.
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'json' | 'pretty';

/** The format for this process: pretty on a terminal, JSON otherwise. */
export const logFormatFor = (stdout: { isTTY?: boolean }): LogFormat => (stdout.isTTY === true ? 'pretty' : 'json');

/** The log at `level` in `format`, to standard output (or `to`, for a test). */
export function serverLogger(level: string, format: LogFormat, to?: NodeJS.WritableStream): Logger {
  if (format === 'json') return to === undefined ? pino({ level }) : pino({ level }, to);
  // Synchronous: a line is on the terminal before serve prints its next human line.
  return pino(
    { level },
    pretty({
      sync: true,
      colorize: to === undefined,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      ...(to === undefined ? {} : { destination: to }),
    }),
  );
}
