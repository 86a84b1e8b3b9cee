/**
 * The reachability of listed media relays in words: a heading that says it tests reachability,
 * not quality, then one line per target and port. Pure.
 */
import type { Reachability } from '../schema/reachability-schema.js';
import { EN, type Messages } from './catalogue.js';

const TRANSPORT = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' } as const;

function answerText(a: Reachability['answers'][number], timeoutMs: number, m: Messages): string {
  const fast = a.ms === null ? '' : m.t(a.msUntil === 'gathering-end' ? 'reach.within' : 'reach.in', { value: m.fmt.ms(a.ms) });
  switch (a.answer) {
    case 'reflexive':
      return m.t(a.msUntil === 'gathering-end' ? 'reach.reflexive.same' : 'reach.reflexive', { fast });
    case 'challenge':
      return m.t('reach.challenge', { fast });
    case 'answered':
      return m.t('reach.answered', { fast });
    case 'blocked':
      return m.t('reach.blocked', { seconds: m.t('unit.s', { n: m.fmt.num(timeoutMs / 1000) }) });
    case 'refused':
      return m.t('reach.refused');
    case 'unresolved':
      return m.t('reach.unresolved');
    case 'failed':
      return m.t('reach.failed');
  }
}

/** The heading and one line per target and port, in `m`'s language. */
export function reachabilityLines(r: Reachability, m: Messages = EN): string[] {
  return [
    m.t(r.triedBy === 'page' ? 'reach.heading.page' : 'reach.heading'),
    ...r.answers.map((a) => m.t('reach.line', { transport: TRANSPORT[a.transport], port: String(a.port), url: a.url, answer: answerText(a, r.timeoutMs, m) })),
  ];
}
