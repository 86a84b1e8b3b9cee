import { css } from 'lit';

export const verdictViewStyles = css`
  :host { display: block; margin-top: 1rem; }
  .banner { border-radius: 8px; padding: 0.75rem 1rem; border: 2px solid; }
  .banner.pass { border-color: var(--pass); background: var(--pass-bg); }
  .banner.fail { border-color: var(--fail); background: var(--fail-bg); }
  .banner.insufficient { border-color: var(--insufficient); background: var(--insufficient-bg); }
  /* A pass only over a fallback path: amber, not green. */
  .banner.pass.caution { border-color: var(--insufficient); background: var(--insufficient-bg); }
  .banner.pass.caution .title { color: var(--insufficient); }
  /* A pass whose busy line harms calls: the answer is bad, so is the colour (the worse of idle and busy). */
  .banner.pass.bad { border-color: var(--fail); background: var(--fail-bg); }
  .banner.pass.bad .title { color: var(--fail); }
  .banner .caution { font-weight: 600; }
  .banner h2:focus { outline: none; }
  .banner h2:focus-visible { outline: 3px solid var(--focus, #0b57d0); outline-offset: 2px; }
  .banner .title { margin: 0; font-weight: 700; text-transform: uppercase; font-size: 0.85rem; letter-spacing: 0.03em; }
  .probe-path { margin: 0.5rem 0; font-size: 0.9rem; }
  .note { font-size: 0.9rem; color: var(--muted); }
  .banner h2 { margin: 0.1rem 0 0.4rem; font-size: 1.35rem; line-height: 1.3; }
  .banner h3 { margin: 0.6rem 0 0.2rem; font-size: 1rem; }
  .findings, .advice { margin: 0.3rem 0; padding-left: 1.3rem; }
  .findings li, .advice li { margin: 0.25rem 0; }
  details.for-it { margin-top: 1rem; border-top: 1px solid var(--border); padding-top: 0.5rem; }
  details.for-it > summary { cursor: pointer; font-weight: 700; padding: 0.4rem 0; }
  details.for-it > summary:focus-visible { outline: 3px solid var(--focus, #0b57d0); outline-offset: 2px; }
  .banner p { margin: 0.35rem 0; }
  .pass .title, .status.pass { color: var(--pass); }
  .fail .title, .status.fail { color: var(--fail); }
  .insufficient .title, .status.insufficient { color: var(--insufficient); }
  .figures { display: flex; flex-wrap: wrap; gap: 0.4rem 1.5rem; margin: 0.75rem 0 0; padding: 0; list-style: none; }
  .figures .fig { font-variant-numeric: tabular-nums; }
  .withdrawn { font-weight: 600; }
  .facts { margin: 0.5rem 0; padding: 0.1rem 0 0.1rem 0.75rem; list-style: none; border-left: 4px solid var(--insufficient); }
  .facts li { margin: 0.3rem 0; }
  .facts .action { font-weight: 600; }
  .scroll { overflow-x: auto; margin-top: 1rem; }
  .scroll:focus-visible { outline: 3px solid var(--focus, #0b57d0); outline-offset: 2px; }
  table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
  table.targets { min-width: 34rem; }
  caption { text-align: left; font-weight: 700; padding: 0.25rem 0; }
  th, td { text-align: left; padding: 0.4rem 0.5rem; border-bottom: 1px solid var(--border); vertical-align: top; }
  thead th { background: var(--panel); }
  td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
  .status { font-weight: 700; text-transform: uppercase; font-size: 0.85rem; }
  small { color: var(--muted); }
  /* Paper: the answer, its figures and the sections under it, each kept whole; Details for IT and a shared result's card (its header has the code and the link) stay on screen. */
  @media print {
    details.for-it, cp-result-card.shared { display: none; }
    .banner, section { break-inside: avoid; }
  }
  /* A narrow screen: each target is a block (name, then measured, limit and result side by side, then what it means). */
  @media (max-width: 40rem) {
    table.targets { min-width: 0; }
    table.targets thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
    table.targets tr { display: grid; grid-template-columns: repeat(3, 1fr); gap: 0.25rem 0.75rem; padding: 0.6rem 0; border-bottom: 1px solid var(--border); }
    table.targets th[scope='row'], table.targets td.means { grid-column: 1 / -1; }
    table.targets th, table.targets td { border: 0; padding: 0; }
    table.targets td[data-label]::before { content: attr(data-label); display: block; color: var(--muted); font-size: 0.8rem; }
  }
`;
