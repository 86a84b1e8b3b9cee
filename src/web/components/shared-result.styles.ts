import { css } from 'lit';

export const sharedResultStyles = css`
  :host { display: block; }
  h2.shared { font-size: 1.35rem; margin: 0 0 0.25rem; }
  .code { font-family: ui-monospace, 'Cascadia Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace; letter-spacing: 0.08em; }
  .meta { color: var(--muted); margin: 0.25rem 0 0.75rem; }
  .again { display: inline-block; font-weight: 700; padding: 0.5rem 1rem; border-radius: 6px; border: 2px solid var(--accent);
    background: var(--accent); color: var(--on-accent); text-decoration: none; }
  .again:focus-visible, .print:focus-visible { outline: 3px solid var(--focus, #0b57d0); outline-offset: 2px; }
  .actions { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
  .print { font: inherit; font-weight: 700; padding: 0.5rem 1rem; border-radius: 6px; border: 2px solid var(--accent); background: var(--surface);
    color: var(--accent); cursor: pointer; }
  /* The QR code and the link in words are for paper only: on screen the link is the address bar. */
  .qr { display: none; }
  /* The printed report: the code, when, the QR code to the page, then the verdict; no controls (A4 and Letter, one or two pages). */
  @media print {
    .actions, cp-result-card { display: none; }
    .error { break-inside: avoid; }
    .qr { display: flex; align-items: center; gap: 0.75rem; margin: 0.25rem 0 0.5rem; break-inside: avoid; }
    .qr svg { width: 28mm; height: 28mm; flex: none; }
    .qr figcaption { font-size: 0.85rem; }
    .qr .url { font-family: ui-monospace, 'Cascadia Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace; overflow-wrap: anywhere; }
    h2.shared, .meta { break-after: avoid; }
  }
  .error { border: 2px solid var(--fail); background: var(--fail-bg); padding: 0.75rem 1rem; border-radius: 6px; margin-top: 1rem; }
  .error h3 { margin: 0 0 0.25rem; font-size: 1.2rem; color: var(--fail); }
  .error p { margin: 0.35rem 0; }
  .notice { border: 2px solid var(--border); background: var(--panel); padding: 0.75rem 1rem; border-radius: 6px; }
  .notice h2 { margin: 0 0 0.25rem; font-size: 1.2rem; }
  a { color: var(--accent); }
`;
