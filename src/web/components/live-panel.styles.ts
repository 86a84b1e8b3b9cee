import { css } from 'lit';

export const livePanelStyles = css`
  :host { display: block; margin: 1rem 0; }
  dl { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: 0.5rem; margin: 0; }
  div.fig { border: 1px solid var(--border); border-radius: 6px; padding: 0.5rem 0.75rem; }
  dt { font-size: 0.85rem; color: var(--muted); }
  dd { margin: 0; font-size: 1.4rem; font-variant-numeric: tabular-nums; font-weight: 600; }
  progress { width: 100%; height: 0.6rem; margin: 0.5rem 0; }
  .chart { position: relative; height: 200px; margin-top: 0.75rem; }
`;
