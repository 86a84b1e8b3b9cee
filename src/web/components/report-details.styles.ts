import { css } from 'lit';

export const reportDetailsStyles = css`
  :host { display: block; margin-top: 1rem; }
  details { border: 1px solid var(--border); border-radius: 6px; padding: 0.5rem 0.75rem; margin-top: 0.5rem; }
  summary { cursor: pointer; font-weight: 600; }
  summary:focus-visible { outline: 3px solid var(--focus, #0b57d0); outline-offset: 2px; }
  ul { margin: 0.5rem 0; padding-left: 1.25rem; }
  .ok { color: var(--pass); font-weight: 700; }
  .no { color: var(--fail); font-weight: 700; }
`;
