import { css } from 'lit';

export const resultCardStyles = css`
  :host { display: block; margin-top: 1rem; }
  .card { border: 2px solid var(--accent); border-radius: 8px; padding: 0.75rem 1rem; background: var(--panel); }
  .card.failed { border-color: var(--fail); background: var(--fail-bg); }
  .card.off { border-color: var(--border); }
  h3 { margin: 0 0 0.25rem; font-size: 1.05rem; }
  .code { font-family: ui-monospace, 'Cascadia Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 2.25rem;
    font-weight: 700; letter-spacing: 0.12em; margin: 0.25rem 0; color: var(--fg); overflow-wrap: anywhere; }
  p { margin: 0.35rem 0; }
  .link a { color: var(--accent); overflow-wrap: anywhere; }
  .actions { display: flex; flex-wrap: wrap; gap: 0.5rem; margin-top: 0.6rem; }
  button { font: inherit; padding: 0.5rem 1rem; border: 2px solid var(--accent); color: var(--accent); background: var(--surface);
    border-radius: 6px; cursor: pointer; }
  button.primary { background: var(--accent); color: var(--on-accent); }
  button:focus-visible, a:focus-visible, summary:focus-visible { outline: 3px solid var(--focus, #0b57d0); outline-offset: 2px; }
  details { margin-top: 0.5rem; }
  summary { cursor: pointer; }
  pre { white-space: pre-wrap; font-size: 0.85rem; background: var(--surface); border: 1px solid var(--border); padding: 0.5rem; margin: 0.4rem 0 0; }
  .status { margin: 0; color: var(--muted); font-size: 0.95rem; }
  .status:not(:empty) { margin-top: 0.5rem; }
  /* Paper: the code and the link, no buttons. */
  @media print {
    .actions, .status, details { display: none; }
    .card { break-inside: avoid; }
  }
`;

/** The one line with the result code under an answer (codeLine), in the verdict and in a test that could not run. */
export const codeLineStyles = css`
  .code-line { font-size: 1.05rem; }
  .code-line .code { font-family: ui-monospace, 'Cascadia Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 1.35rem;
    font-weight: 700; letter-spacing: 0.08em; white-space: nowrap; }
`;
