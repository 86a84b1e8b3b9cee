import { LitElement } from 'lit';
import type { CpEventMap } from './events.js';

/** A tag of the page: one prefix for every component. */
export type CpTag = `cp-${string}`;

/** Base of the page's components: typed events, and registration with the components a template uses. */
export class CpElement extends LitElement {
  /** The components this one's template uses, by tag; registered with it. */
  static dependencies: Readonly<Record<CpTag, typeof CpElement>> = {};

  /** Registers this class under `tag`, and its dependencies under theirs, once each. */
  static define(tag: CpTag): void {
    for (const [depTag, dep] of Object.entries(this.dependencies) as Array<[CpTag, typeof CpElement]>) dep.define(depTag);
    if (customElements.get(tag) === undefined) customElements.define(tag, this);
  }

  /** Dispatches one of the page's events (bubbling, composed, typed detail). */
  protected emit<K extends keyof CpEventMap>(type: K, detail: CpEventMap[K]['detail']): boolean {
    return this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}
