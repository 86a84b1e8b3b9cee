import { css } from 'lit';

export const livePanelStyles = css`
  :host { display: block; margin: 1rem 0; }
  .answer { border: 2px solid var(--border); border-radius: 8px; padding: 0.6rem 0.9rem; background: var(--panel); }
  .answer.bad { border-color: var(--fail); background: var(--fail-bg); }
  .answer.good { border-color: var(--pass); background: var(--pass-bg); }
  .answer p { margin: 0.3rem 0; }
  .when { font-size: 0.85rem; color: var(--muted); font-weight: 700; text-transform: uppercase; letter-spacing: 0.03em; }
  .headline { font-size: 1.15rem; font-weight: 600; line-height: 1.35; }
  .items { margin: 0.4rem 0; padding-left: 0; list-style: none; }
  .items li { margin: 0.3rem 0; overflow-wrap: anywhere; }
  .tag { display: inline-block; min-width: 4.2rem; font-size: 0.75rem; font-weight: 700; text-transform: uppercase; color: var(--muted); }
  li[data-state='settled'] .tag { color: var(--fg); }
  .unknown { font-weight: 600; }
  .held, .meaning, .before { color: var(--muted); font-size: 0.9rem; }
  .before { font-size: 1rem; }
  details.expert { margin-top: 0.5rem; font-size: 0.9rem; }
  details.expert ul { margin: 0.25rem 0; padding-left: 1.2rem; font-variant-numeric: tabular-nums; }
  details.expert li { overflow-wrap: anywhere; }
  progress { width: 100%; height: 0.6rem; margin: 0.5rem 0; }
  .chart { position: relative; height: 200px; margin-top: 0.25rem; }
  .legend { display: flex; flex-wrap: wrap; gap: 0.25rem 1.5rem; margin: 0.75rem 0 0; padding: 0; list-style: none; font-size: 0.95rem; }
  .legend li { display: flex; align-items: center; gap: 0.5rem; }
  .legend line { stroke-width: 3; stroke-linecap: butt; }
  .legend .rtt line { stroke: var(--chart-rtt, #0b5cad); }
  .legend .jitter line { stroke: var(--chart-jitter, #a35200); stroke-dasharray: 7 4; }
  .summary { color: var(--muted); font-size: 0.9rem; margin: 0.5rem 0 0; }
  details { margin-top: 0.25rem; }
  summary { cursor: pointer; padding: 0.25rem 0; }
  summary:focus-visible, .scroll:focus-visible { outline: 3px solid var(--focus, #0b57d0); outline-offset: 2px; }
  .scroll { max-height: 16rem; overflow: auto; }
  table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
  th, td { text-align: right; padding: 0.15rem 0.75rem; border-bottom: 1px solid var(--border); }
  thead th { position: sticky; top: 0; background: var(--bg); }
`;
