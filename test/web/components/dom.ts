/**
 * Rendering the page's components in happy-dom (the `components` vitest project) and reading them
 * as a person would: the text on screen (shadow roots included), and axe-core's accessibility
 * check of the whole document.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, URL as NodeURL } from 'node:url';
import axe from 'axe-core';
import type { Report } from '../../../src/analysis/schema/report-schema.js';
import type { CpElement, CpTag } from '../../../src/web/components/cp-element.js';

/** A golden report (test/analysis/report/golden/<name>.json). Node's URL: happy-dom's global one knows no file: scheme. */
export function golden(name: string): Report {
  const path = fileURLToPath(new NodeURL(`../../analysis/report/golden/${name}.json`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as Report;
}

/**
 * A fresh document holding one `tag` with `props` set, rendered (its children too), framed as its
 * page frames it: a language and a title, and, for the test page's components (`page: 'index'`,
 * index.html), a main landmark with the page's h1 around it; the console (`page: 'console'`,
 * console.html) is its own main.
 */
export async function mount<E extends CpElement>(tag: CpTag, props: Partial<E>, page: 'index' | 'console' = 'index'): Promise<E> {
  document.documentElement.lang = 'en';
  document.title = 'component test';
  document.body.replaceChildren();
  const el = document.createElement(tag) as E;
  Object.assign(el, props);
  if (page === 'console') document.body.append(el);
  else {
    const main = document.createElement('main');
    const h1 = document.createElement('h1');
    h1.textContent = 'callprobe';
    main.append(h1, el);
    document.body.append(main);
  }
  await settled(el);
  return el;
}

/** Waits until `el` and every component inside its shadow root have rendered. */
async function settled(el: Element): Promise<void> {
  if ('updateComplete' in el) await (el as CpElement).updateComplete;
  const root = el.shadowRoot;
  if (root === null) return;
  for (const child of root.querySelectorAll('*')) if (child.tagName.includes('-')) await settled(child);
}

/** The element matching `selector` inside `el`'s shadow root, or a failure naming it. */
export function one<T extends Element = HTMLElement>(el: Element, selector: string): T {
  const found = el.shadowRoot?.querySelector<T>(selector);
  if (found === null || found === undefined) throw new Error(`no ${selector} in <${el.tagName.toLowerCase()}>`);
  return found;
}

/** Every element matching `selector` inside `el`'s shadow root. */
export function all<T extends Element = HTMLElement>(el: Element, selector: string): T[] {
  return [...(el.shadowRoot?.querySelectorAll<T>(selector) ?? [])];
}

/** The words of a node as read on screen: its text, shadow roots and slotted children included, spaces folded. */
export function words(node: Node | null | undefined): string {
  return collect(node).replace(/\s+/g, ' ').trim();
}

function collect(node: Node | null | undefined): string {
  if (node === null || node === undefined) return '';
  if (node.nodeType === Node.TEXT_NODE) return node.textContent ?? '';
  if (node.nodeType === Node.COMMENT_NODE) return '';
  if (node instanceof HTMLElement && (node.tagName === 'STYLE' || node.tagName === 'SCRIPT')) return '';
  const el = node as Element;
  const kids = el.shadowRoot ? [...el.shadowRoot.childNodes] : [...node.childNodes];
  const block = node instanceof HTMLElement && /^(P|LI|H\d|TD|TH|TR|DIV|SECTION|UL|OL|SUMMARY|BR)$/.test(node.tagName) ? ' ' : '';
  return block + kids.map(collect).join('') + block;
}

/**
 * The end of the last axe-core run this file started: axe runs one check at a time per document
 * ("Axe is already running" otherwise), and a test that timed out leaves its run going, so each
 * run starts after the one before it has ended, however that ended (its own caller gets its
 * result or its error).
 */
let axeIdle: Promise<void> = Promise.resolve();

/**
 * axe-core's violations in the current document. Rules that need layout (contrast, target size)
 * cannot run without a renderer: the e2e suite checks them in Chromium.
 */
function axeViolations(): Promise<axe.Result[]> {
  const run = axeIdle.then(() =>
    axe.run(document, {
      rules: {
        'color-contrast': { enabled: false },
        'color-contrast-enhanced': { enabled: false },
        'target-size': { enabled: false },
      },
      resultTypes: ['violations'],
    }),
  );
  axeIdle = run.then(
    () => undefined,
    () => undefined, // the error is the caller's (returned below); the queue only waits for the end
  );
  return run.then((results) => results.violations);
}

/** Each violation as one line: the rule, what it asks, and where. */
export async function axeProblems(): Promise<string[]> {
  return (await axeViolations()).map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
