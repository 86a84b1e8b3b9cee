import { css } from 'lit';

export const consoleStyles = css`
  :host { display: block; max-width: 64rem; margin: 0 auto; padding: 1rem; color: #1b1f24; background: #fff;
    font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
  h1 { font-size: 1.5rem; margin: 0 0 0.5rem; }
  h2 { font-size: 1.25rem; margin: 1.25rem 0 0.5rem; }
  h3 { font-size: 1.05rem; margin: 1rem 0 0.25rem; }
  form { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); gap: 0.5rem 1rem; align-items: end; }
  label { display: flex; flex-direction: column; font-weight: 600; gap: 0.2rem; }
  input, select { font: inherit; padding: 0.35rem 0.5rem; border: 1px solid #6b7480; border-radius: 4px; }
  button, a.button { font: inherit; font-weight: 700; padding: 0.4rem 0.9rem; border-radius: 6px; border: 2px solid #0b5cad; background: #0b5cad; color: #fff; cursor: pointer; }
  a.button { display: inline-block; text-decoration: none; }
  button.link { background: none; color: #0b5cad; border: none; padding: 0; text-decoration: underline; font-weight: 600; }
  :focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
  .who { display: flex; justify-content: space-between; align-items: center; gap: 1rem; color: #4a525c; }
  .error { border: 2px solid #a40e26; background: #fff3f4; padding: 0.5rem 0.75rem; border-radius: 6px; }
  .hint { color: #4a525c; font-size: 0.9rem; margin: 0.5rem 0; }
  table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; }
  /*
   * A cell wraps between words only: a name, a code, a date or a figure never breaks inside. A
   * table that cannot fit so (a phone, a long name) scrolls inside its own region (.scroll), never the page.
   */
  th, td { text-align: left; vertical-align: top; padding: 0.3rem 0.5rem; border-bottom: 1px solid #c9d0d8; overflow-wrap: normal; }
  .name, .code, .nowrap { white-space: nowrap; }
  /* A heading breaks between words only, in Japanese and Chinese too (no break inside サンプル). */
  thead th { word-break: keep-all; }
  .scroll { overflow-x: auto; max-width: 100%; }
  .scroll:focus-visible { outline-offset: -3px; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  /* The site list: what to look at is a sentence per flag, wrapped in a column wide enough to read. */
  table.sites { min-width: 40rem; }
  .sites td.look { min-width: 16rem; }
  .flags li + li { margin-top: 0.25rem; }
  /* A target's name in the result's tables: wide enough that a Japanese name does not break every few characters. */
  td.label { min-width: 8rem; }
  /* A phone (360-390 px): smaller type and padding; what still does not fit scrolls in its region. */
  @media (max-width: 30rem) { table { font-size: 0.85rem; } th, td { padding: 0.3rem 0.25rem; } :host { padding: 0.75rem; } }
  .fail { color: #a40e26; font-weight: 700; }
  .pass { color: #116329; font-weight: 700; }
  .culprit { border-left: 4px solid #a35200; padding: 0.25rem 0.75rem; background: #fff8e6; }
  .tell { border-left: 4px solid #0b5cad; padding: 0.25rem 0.75rem; background: #f4f6f8; }
  .flags { margin: 0; padding-left: 1rem; color: #a40e26; }
  .code { font-family: ui-monospace, Menlo, Consolas, monospace; letter-spacing: 0.05em; }
  /* The site report's tables of figures: as wide as their figures, each on one line. */
  .figures table { width: max-content; min-width: 100%; }
  .figures td { white-space: nowrap; }
  .figures thead th { min-width: 4.5rem; }
  .figures tbody th { min-width: 9rem; max-width: 14rem; }
  .insufficient { color: #4a525c; }
  /* The site report's hours of the week: 7 rows of 24 cells, shaded by the failed share (the table below holds the numbers). */
  .heat { display: grid; grid-template-columns: 2.2rem repeat(24, minmax(0, 1fr)); gap: 2px; max-width: 40rem; font-size: 0.75rem; color: #4a525c; }
  .heat .cell { aspect-ratio: 1; border-radius: 2px; border: 1px solid #c9d0d8; }
  .heat .none { background: transparent; border-style: dashed; }
  .heat .s0 { background: #e6f2ea; }
  .heat .s1 { background: #fde8c8; }
  .heat .s2 { background: #f7b267; }
  .heat .s3 { background: #e4572e; }
  .heat .s4 { background: #8c1c13; }
  .heat .hh, .heat .dd { align-self: center; }
`;
