/**
 * The test page in another site's frame (`serve --embed-origins`): the messages it posts to the
 * page that framed it, and to whom. Only an origin the server lists is ever a target, the one
 * that framed the page, never `*` (HTML, §9.4.3 "Posting messages": a message to a listed origin
 * is dropped by the browser if the parent has navigated elsewhere since). Pure.
 */

/**
 * What the page says to its parent: the test started, a provisional answer, the result; or that
 * an autostarted test waits for a click (`needs-gesture`: the browser would not let the page
 * play the audio its probes ride on without one; nothing was measured or stored).
 */
export type EmbedMessageType = 'started' | 'provisional' | 'result' | 'needs-gesture';

/** The version of this message shape; a parent checks `source` and `version` before reading the rest. */
export const EMBED_MESSAGE_VERSION = 1;

/** One message the embedded page posts to its parent (docs/embedding.md documents it for the hosts). */
export interface EmbedMessage {
  source: 'callprobe';
  version: typeof EMBED_MESSAGE_VERSION;
  type: EmbedMessageType;
  /** The result code (`K7QF-3MZD`) once the result is stored; null before, or when it was not stored. */
  code: string | null;
  /** The result's verdict (pass / fail / insufficient) once the test ended; null before. */
  verdict: string | null;
  /** The page's one-sentence answer (provisional while the test runs); null at `started`. */
  answer: string | null;
  /** The language the answer is written in (a BCP 47 tag). */
  lang: string;
}

/** The message of `type` with its fields. */
export function embedMessage(type: EmbedMessageType, fields: Pick<EmbedMessage, 'code' | 'verdict' | 'answer' | 'lang'>): EmbedMessage {
  return { source: 'callprobe', version: EMBED_MESSAGE_VERSION, type, code: fields.code, verdict: fields.verdict, answer: fields.answer, lang: fields.lang };
}

/** Where the page posts: the framing origin when the server lists it, else nowhere (null). */
export function embedTarget(listed: readonly string[], framing: string | null): string | null {
  return framing !== null && listed.includes(framing) ? framing : null;
}
