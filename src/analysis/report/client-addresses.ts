/**
 * A report, or a could-not-test record, carries no client address: the client's address lives
 * only in the store's address table (purged after --retain-ip-days), never in a body that is
 * kept for --retain-days and served to anyone with the code. The analysis writes no address
 * (the NAT reason says "one local socket"), and every free text that comes from elsewhere
 * (browser and ICE errors, the reflector's messages, notes, tickets) passes through here: where
 * the report is built (analyze), where a could-not-test record is made (the page, `callprobe
 * run`) and at the server's door for uploads (server/reports/upload.ts), for bodies from older
 * or other clients.
 *
 * Left as they are, because they name the server or the browser, never the client, and other
 * code reads them: `url` (the TURN URIs the server handed out), `server` (the server's origin),
 * `browser` (a user agent: Chrome's reads `Chrome/120.0.0.0`, which looks like an address) and
 * `callprobeVersion`; and `site`, the operator's own label of a site (accepted only with the
 * operator token), the key the site reports group samples by.
 */
import { scrubAddresses } from '../../protocol/address-text.js';

/** Keys whose text is never scrubbed (see the file comment). */
const ADDRESS_FREE_KEYS: ReadonlySet<string> = new Set(['url', 'server', 'browser', 'callprobeVersion', 'site']);

/** A key as a JSON Pointer reference token (RFC 6901 §3). */
function pointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `value` (JSON data) with every IP address in its texts replaced, and the JSON pointers of the texts that changed. */
export function withoutClientAddresses<T>(value: T): { value: T; scrubbed: string[] } {
  const scrubbed: string[] = [];
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === 'string') {
      const clean = scrubAddresses(v);
      if (clean !== v) scrubbed.push(path);
      return clean;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}/${i}`));
    if (v !== null && typeof v === 'object')
      // fromEntries defines every key as an own property (a "__proto__" key from JSON.parse included).
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, ADDRESS_FREE_KEYS.has(k) ? x : walk(x, `${path}/${pointerToken(k)}`)]));
    return v;
  };
  const out = walk(value, '') as T;
  // Unchanged: the very same value (no copy to keep).
  return scrubbed.length === 0 ? { value, scrubbed } : { value: out, scrubbed };
}
