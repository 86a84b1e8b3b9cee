/**
 * The relay counters of `serve --workers N`'s planes in one Prometheus text exposition: each
 * plane's relay renders its own (server/turn/metrics.ts), and a metric's samples must stand
 * together under its one HELP and TYPE (the text format's rule: all lines of a metric family in
 * one group). Each sample gains the label `plane="i"`, so a sum over the label is the server's
 * total. Pure.
 */

interface Family {
  readonly header: string[];
  readonly samples: string[];
}

/** The family a sample line belongs to: its metric name (a histogram's `_bucket`, `_sum` and `_count` lines follow their family's header). */
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?( .*)$/;
const HEADER = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*)/;

/** One exposition of every plane's relay text (`texts[i]` is plane i's), each sample labelled with its plane. */
export function joinRelayTexts(texts: readonly string[]): string {
  const families = new Map<string, Family>();
  const family = (name: string): Family => {
    const f = families.get(name) ?? { header: [], samples: [] };
    families.set(name, f);
    return f;
  };
  texts.forEach((text, plane) => {
    let current: Family | null = null;
    for (const line of text.split('\n')) {
      const header = HEADER.exec(line);
      if (header !== null) {
        current = family(header[2] ?? '');
        // The first plane's HELP and TYPE stand for every plane's.
        if (!current.header.some((h) => h.startsWith(`# ${header[1] ?? ''} `))) current.header.push(line);
        continue;
      }
      const sample = SAMPLE.exec(line);
      if (sample === null) continue;
      const [, name = '', labels = '{}', rest = ''] = sample;
      const inner = labels.slice(1, -1);
      (current ?? family(name)).samples.push(`${name}{plane="${plane}"${inner === '' ? '' : `,${inner}`}}${rest}`);
    }
  });
  let out = '';
  for (const f of families.values()) for (const l of [...f.header, ...f.samples]) out += l + '\n';
  return out;
}
