import { css } from 'lit';

export const sharedResultStyles = css`
  :host { display: block; }
  h2.shared { font-size: 1.35rem; margin: 0 0 0.25rem; }
  .code { font-family: ui-monospace, 'Cascadia Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace; letter-spacing: 0.08em; }
  .meta { color: var(--muted); margin: 0.25rem 0 0.75rem; }
  .again { display: inline-block; font-weight: 700; padding: 0.5rem 1rem; border-radius: 6px; border: 2px solid var(--accent);
    background: var(--accent); color: var(--on-accent); text-decoration: none; }
  .again:focus-visible { outline: 3px solid var(--focus, #0b57d0); outline-offset: 2px; }
  .error { border: 2px solid var(--fail); background: var(--fail-bg); padding: 0.75rem 1rem; border-radius: 6px; margin-top: 1rem; }
  .error h3 { margin: 0 0 0.25rem; font-size: 1.2rem; color: var(--fail); }
  .error p { margin: 0.35rem 0; }
  .notice { border: 2px solid var(--border); background: var(--panel); padding: 0.75rem 1rem; border-radius: 6px; }
  .notice h2 { margin: 0 0 0.25rem; font-size: 1.2rem; }
  a { color: var(--accent); }
`;
