import { css } from 'lit';

export const appStyles = css`
  :host { display: block; }
  .error { border: 2px solid var(--fail); background: #fff5f5; padding: 0.75rem 1rem; border-radius: 6px; }
  .error h2 { margin: 0 0 0.25rem; font-size: 1.1rem; color: var(--fail); }
  .phase { color: var(--muted); margin: 0.5rem 0; }
`;
