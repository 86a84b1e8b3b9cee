/**
 * One result in the console (loaded when a result is first opened, so the console's first load
 * stays small): what to tell the user, the same browser's other tests, the likely culprit, the
 * site's baseline, the targets, and for tier 2 the network details; a test that could not run
 * says what failed and where to look.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { ConsoleChain, ConsoleChainLink, ConsoleResultView } from '../../protocol/api-console.js';
import { countText, spliced, type ConsoleMessages } from '../console-i18n.js';
import { failureWordsIn, whereWordsIn } from '../could-not-run-words.js';
import { region, verdictWord, type ConsoleHost } from './console-common.js';

/** What failed and where to look, for a test that could not run: the page's words in the console's language (English: the server's). */
function couldNotTest(m: ConsoleMessages, c: NonNullable<ConsoleResultView['couldNotTest']>): TemplateResult {
  const words = m.page === null ? c.words : failureWordsIn(m.page, c.reason);
  const where = m.page === null ? c.where : whereWordsIn(m.page, c.side);
  return html`<p class="culprit" data-side=${c.side}>${m.t('result.couldNotTest', { words })}</p>
    <p>${where}</p>
    <p><small>${m.t('result.detail', { message: c.message, reason: c.reason })}</small></p>`;
}

/** One result as the console shows it, its links opening another result or the site's report through `host`. */
export function resultView(r: ConsoleResultView, host: ConsoleHost): TemplateResult {
  const m = host.m;
  return html`<section aria-labelledby="result">
    <h2 id="result" tabindex="-1">${spliced(m, 'result.heading', { code: html`<span class="code">${r.code}</span>`, verdict: html`<span class=${r.verdict ?? ''}>${verdictWord(m, r.verdict)}</span>` })}</h2>
    <p>${m.t('result.started', { when: r.startedAtLocal })}${r.site ? m.t('result.site', { site: r.site }) : nothing}${r.siteUnverified ? m.t('result.siteUnverified', { site: r.siteUnverified }) : nothing}${r.ticket ? html`${m.t('result.ticket', { ticket: r.ticket })} <em>${m.t('result.ticketHint')}</em>` : nothing}</p>
    ${r.networkContext ? html`<ul data-testid="network-context" aria-label=${m.t('result.network')}>${r.networkContext.map((line) => html`<li>${line}</li>`)}</ul>` : nothing}
    ${r.relayReachability ? html`<ul data-testid="relay-reachability" aria-label=${m.t('result.reachability')}>${r.relayReachability.map((line) => html`<li>${line}</li>`)}</ul>` : nothing}
    ${r.devices ? html`<ul data-testid="devices" aria-label=${m.t('result.devices')}>${r.devices.map((line) => html`<li>${line}</li>`)}</ul>` : nothing}
    ${chain(host, r.chain)}
    ${r.edge ? html`<p data-testid="edge">${r.edge.sentence} <small>${m.t('result.edgeId', { id: r.edge.id })}</small></p>` : nothing}
    ${r.regions.map((s) => html`<p data-testid="region-leg">${s}</p>`)}
    ${r.couldNotTest ? couldNotTest(m, r.couldNotTest) : nothing}
    ${
      r.answer
        ? html`<h3>${m.t('result.tell')}</h3>
          <div class="tell">
            <p>${r.answer.sentence}</p>
            ${r.answer.withdrawn ? html`<p class="caution" data-withdrawn>${r.answer.withdrawn}</p>` : nothing}
            ${r.answer.caution ? html`<p class="caution" data-caution>${r.answer.caution}</p>` : nothing}
            ${r.answer.facts.map((f) => html`<p class="fact" data-fact=${f.id}><strong>${f.text}</strong> ${f.action}</p>`)}
            ${r.answer.findings.map((f) => html`<p>${f.sentence}</p>`)}
            ${r.answer.advice.length > 0 ? html`<ul>${r.answer.advice.map((a) => html`<li>${a.text} <em>(${a.because})</em></li>`)}</ul>` : nothing}
          </div>`
        : nothing
    }
    ${
      r.busyLine
        ? html`<h3>${m.t('result.busyLine')}</h3>
          <div data-testid="busy-line"><p>${r.busyLine.sentence}</p><ul>${r.busyLine.lines.map((x) => html`<li>${x}</li>`)}</ul>${r.busyLine.capacity ? html`<p>${r.busyLine.capacity}</p>` : nothing}</div>`
        : nothing
    }${
      r.video
        ? html`<h3>${r.video.title}</h3>
          <div data-testid="video-room"><p>${r.video.sentence}</p><ul>${r.video.lines.map((x) => html`<li>${x}</li>`)}</ul></div>`
        : nothing
    }
    <h3>${m.t('result.culprit')}</h3>
    ${
      r.culprit.length > 0
        ? html`<ul class="culprit" data-testid="culprit">${r.culprit.map((c) => html`<li>${c}</li>`)}</ul>`
        : html`<p data-testid="culprit">${m.t('result.noCulprit')}</p>`
    }
    ${r.baseline ? baseline(m, r.baseline) : html`<p>${m.t('result.noSite')}</p>`}
    ${r.site ? html`<p><button class="link" @click=${() => host.showSite(r.site ?? '')}>${m.t('sites.open', { site: r.site })}</button></p>` : nothing}
    ${r.cqd ? html`<h3>${m.t('result.cqd')}</h3><p>${r.cqd.sentence} <small>(${r.cqd.basis})</small></p>` : nothing}
    ${
      r.grades.length > 0
        ? html`<h3>${m.t('result.targets')}</h3>
          ${region(
            m.t('result.targets'),
            html`<table>
            <caption class="sr-only">${m.t('result.targets')}</caption>
            <thead><tr><th scope="col">${m.t('result.target')}</th><th scope="col">${m.t('result.direction')}</th><th scope="col">${m.t('result.value')}</th><th scope="col">${m.t('result.limit')}</th><th scope="col">${m.t('result.status')}</th></tr></thead>
            <tbody>${r.grades.map((g) => html`<tr><td class="label">${g.label}</td><td>${directionWord(m, g.direction)}</td><td class="nowrap">${g.measured}</td><td class="nowrap">${g.limit}</td><td class=${g.status}>${m.t(`status.${g.status}`)}</td></tr>`)}</tbody>
          </table>`,
          )}`
        : nothing
    }
    ${r.network ? network(m, r.network) : nothing}
  </section>`;
}

/** A graded direction's code in the console's words (English: the code itself). */
function directionWord(m: ConsoleMessages, d: string): string {
  return d === 'up' || d === 'down' || d === 'loop' || d === 'round-trip' ? m.t(`dir.${d}`) : d;
}

/**
 * The same browser's other tests, each a link that opens it: said as the browser's claim (the
 * page sent the earlier code; the server checked that it stored it within 30 days and that it
 * started before), the later ones newest first with how many more, and a claim from another
 * network than the claimed result's marked.
 */
function chain(host: ConsoleHost, c: ConsoleChain): TemplateResult | typeof nothing {
  const m = host.m;
  if (c.earlier === null && c.later.length === 0) return nothing;
  const link = (l: ConsoleChainLink) =>
    html`<button class="link code" @click=${() => host.show(l.code)} aria-label=${m.t('found.open', { code: l.code })}>${l.code}</button>
      ${m.t('chain.link', { when: l.startedAtLocal, verdict: verdictWord(m, l.verdict) })}
      ${l.otherNetwork ? html`<strong data-chain-other>${m.t('chain.otherNetwork')}</strong>` : nothing}`;
  return html`<div data-testid="chain">
    ${c.earlier ? html`<p data-chain="earlier">${spliced(m, 'chain.earlier', { link: link(c.earlier) })}</p>` : nothing}
    ${
      c.later.length > 0
        ? html`<p data-chain="later">${m.t('chain.later')}</p>
          <ul>${c.later.map((l) => html`<li data-chain-code=${l.code}>${link(l)}</li>`)}</ul>
          ${c.laterMore > 0 ? html`<p data-chain="more">${m.t('chain.more', { count: c.laterMore })}</p>` : nothing}`
        : nothing
    }
  </div>`;
}

function baseline(m: ConsoleMessages, b: NonNullable<ConsoleResultView['baseline']>): TemplateResult {
  const hours = `${b.hours[0] ?? 0}:00–${(b.hours[b.hours.length - 1] ?? 0) + 1}:00`;
  const standing = (s: (typeof b.metrics)[number]['standing']): string => (s === null ? '–' : m.t(`baseline.${s}`));
  return html`<h3>${m.t('baseline.heading')}</h3>
    <p data-testid="baseline">
      ${
        b.samples === 0
          ? m.t('baseline.none', { hours, timeZone: b.timeZone })
          : m.plural(b.samples, 'baseline.samples.one', 'baseline.samples.other', { n: countText(m, b.samples), hours, timeZone: b.timeZone })
      }
    </p>
    ${
      b.samples === 0
        ? nothing
        : region(
            m.t('baseline.heading'),
            html`<table>
          <caption class="sr-only">${m.t('baseline.heading')}</caption>
          <thead><tr><th scope="col">${m.t('baseline.metric')}</th><th scope="col">${m.t('baseline.direction')}</th><th scope="col">${m.t('baseline.value')}</th><th scope="col">${m.t('baseline.p50')}</th><th scope="col">${m.t('baseline.p90')}</th><th scope="col">${m.t('baseline.standing')}</th></tr></thead>
          <tbody>
            ${b.metrics.map(
              (x) =>
                html`<tr><td class="label">${x.label}</td><td>${directionWord(m, x.direction)}</td><td class="nowrap">${x.figures.value}</td><td class="nowrap">${x.figures.p50}</td><td class="nowrap">${x.figures.p90}</td><td>${standing(x.standing)}</td></tr>`,
            )}
          </tbody>
        </table>`,
          )
    }`;
}

const NAT_MAPPINGS = ['endpoint-independent', 'endpoint-dependent', 'no-nat', 'unknown'] as const;

/** The NAT's mapping in the console's words (its reason stays as the report words it: docs/translating.md). */
const natMapping = (m: ConsoleMessages, mapping: string): string =>
  NAT_MAPPINGS.includes(mapping as (typeof NAT_MAPPINGS)[number]) ? m.t(`network.mapping.${mapping as (typeof NAT_MAPPINGS)[number]}`) : mapping;

function network(m: ConsoleMessages, n: NonNullable<ConsoleResultView['network']>): TemplateResult {
  return html`<h3>${m.t('network.heading')}</h3>
    <ul data-testid="network">
      ${
        n.addresses.length === 0
          ? html`<li>${m.t('network.noAddress')}</li>`
          : n.addresses.map((a) => html`<li>${m.t('network.address', { address: a.address, truncated: a.truncated, at: a.storedAt })}</li>`)
      }
      <li>${n.nat ? spliced(m, 'network.nat', { nat: html`${natMapping(m, n.nat.mapping)} (${n.nat.reason})` }) : m.t('network.nat', { nat: m.t('network.notMeasured') })}</li>
      <li>${m.t('network.path', { path: n.path ? `${n.path.transport.toUpperCase()} ${n.path.port ?? ''} ${n.path.candidateType ?? ''}` : m.t('network.unknown') })}</li>
    </ul>`;
}
