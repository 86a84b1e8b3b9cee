import { css } from 'lit';

export const livePanelStyles = css`
  :host { display: block; margin: 1rem 0; }
  dl { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: 0.5rem; margin: 0; }
  div.fig { border: 1px solid var(--border); border-radius: 6px; padding: 0.5rem 0.75rem; }
  dt { font-size: 0.85rem; color: var(--muted); }
  dd { margin: 0; font-size: 1.4rem; font-variant-numeric: tabular-nums; font-weight: 600; }
  progress { width: 100%; height: 0.6rem; margin: 0.5rem 0; }
  .chart { position: relative; height: 200px; margin-top: 0.75rem; }
  .summary { color: var(--muted); font-size: 0.9rem; margin: 0.5rem 0 0; }
  details { margin-top: 0.25rem; }
  summary { cursor: pointer; padding: 0.25rem 0; }
  summary:focus-visible, .scroll:focus-visible { outline: 3px solid var(--focus, #0b57d0); outline-offset: 2px; }
  .scroll { max-height: 16rem; overflow: auto; }
  table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
  th, td { text-align: right; padding: 0.15rem 0.75rem; border-bottom: 1px solid var(--border); }
  thead th { position: sticky; top: 0; background: var(--bg); }
`;
