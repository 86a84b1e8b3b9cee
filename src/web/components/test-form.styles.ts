import { css } from 'lit';

export const testFormStyles = css`
  form { display: grid; gap: 0.75rem 1rem; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); align-items: end;
    background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 1rem; }
  label { display: flex; flex-direction: column; gap: 0.3rem; font-weight: 600; font-size: 0.95rem; }
  select, input { font: inherit; padding: 0.4rem; border: 1px solid #6b7480; border-radius: 4px; background: #fff; color: var(--fg); }
  button { font: inherit; font-weight: 700; padding: 0.6rem 1.2rem; border-radius: 6px; border: 2px solid var(--accent);
    background: var(--accent); color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: var(--accent); }
  button:focus-visible, select:focus-visible, input:focus-visible { outline: 3px solid #f0b400; outline-offset: 2px; }
  .hint { font-weight: 400; color: var(--muted); font-size: 0.85rem; }
`;
