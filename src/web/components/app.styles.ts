import { css } from 'lit';

export const appStyles = css`
  :host { display: block; }
  .error { border: 2px solid var(--fail); background: var(--fail-bg); padding: 0.75rem 1rem; border-radius: 6px; }
  .error h2 { margin: 0 0 0.25rem; font-size: 1.1rem; color: var(--fail); }
  .error h2:focus { outline: none; }
  .error h2:focus-visible { outline: 3px solid var(--focus, #0b57d0); outline-offset: 2px; }
  .error p { margin: 0.35rem 0; }
  .phase { color: var(--muted); margin: 0.5rem 0; font-variant-numeric: tabular-nums; }
  .neutral { border: 1px solid var(--border); background: var(--panel); padding: 0.75rem 1rem; border-radius: 6px; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  @media print {
    cp-test-form, .phase, cp-live-panel { display: none; }
  }
  .devices-open button { font: inherit; font-weight: 700; min-height: 44px; padding: 0.5rem 1rem; border-radius: 6px;
    border: 2px solid var(--accent); background: var(--surface); color: var(--accent); cursor: pointer; }
  .devices-open button:disabled { border-color: var(--border); color: var(--muted); cursor: default; }
  .devices-open button:focus-visible { outline: 3px solid var(--focus, #0b57d0); outline-offset: 2px; }
`;
