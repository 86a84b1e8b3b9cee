import { css } from 'lit';

export const testFormStyles = css`
  form { display: grid; gap: 0.75rem; background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 1rem; }
  .go { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem; }
  details.options { border-top: 1px solid var(--border); padding-top: 0.5rem; }
  details.options[open] { display: grid; gap: 0.75rem 1rem; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); align-items: end; }
  details.options > summary { grid-column: 1 / -1; cursor: pointer; font-weight: 600; color: var(--muted); }
  details.options select { min-width: min(20rem, 100%); max-width: 100%; }
  label { display: flex; flex-direction: column; gap: 0.3rem; font-weight: 600; font-size: 0.95rem; }
  select, input { font: inherit; padding: 0.4rem; border: 1px solid var(--control-border); border-radius: 4px; background: var(--surface); color: var(--fg); }
  button { font: inherit; font-weight: 700; padding: 0.7rem 1.4rem; border-radius: 6px; border: 2px solid var(--accent);
    background: var(--accent); color: var(--on-accent); cursor: pointer; }
  button.secondary { background: var(--surface); color: var(--accent); }
  button:focus-visible, select:focus-visible, input:focus-visible, summary:focus-visible { outline: 3px solid var(--focus, #0b57d0); outline-offset: 2px; }
  label.busy > span:first-child { display: flex; align-items: center; gap: 0.5rem; }
  label.busy input { width: 1.2rem; height: 1.2rem; }
  .hint { font-weight: 400; color: var(--muted); font-size: 0.85rem; }
`;
