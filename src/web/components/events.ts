/**
 * The custom events of the page's components, by name: every event is a bubbling, composed
 * CustomEvent whose detail type is fixed here. Components emit them through CpElement.emit;
 * listeners get the detail type from GlobalEventHandlersEventMap.
 */
import type { PageParams } from '../../protocol/page-url.js';
import type { Devices } from '../../analysis/schema/devices-schema.js';

export interface CpEventMap {
  /** The form asks for a test with these settings. */
  'cp-start': CustomEvent<PageParams>;
  /** The form asks to cancel the running test. */
  'cp-cancel': CustomEvent<null>;
  /** The settings in the form changed; the owner of the settings decides what to keep. */
  'cp-params-change': CustomEvent<PageParams>;
  /** The device step found something new: what it found so far (the next test's report carries it). */
  'cp-devices': CustomEvent<Devices>;
  /** "Clear" under "Your earlier tests here": forget this browser's list. */
  'cp-earlier-clear': CustomEvent<null>;
}

declare global {
  interface GlobalEventHandlersEventMap {
    'cp-start': CpEventMap['cp-start'];
    'cp-cancel': CpEventMap['cp-cancel'];
    'cp-params-change': CpEventMap['cp-params-change'];
    'cp-devices': CpEventMap['cp-devices'];
    'cp-earlier-clear': CpEventMap['cp-earlier-clear'];
  }
}
