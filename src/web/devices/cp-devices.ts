/** Registers <cp-devices>, the device step, loaded when the user opens it. */
import { DevicesStep } from './devices-step.js';

DevicesStep.define('cp-devices');

declare global {
  interface HTMLElementTagNameMap {
    'cp-devices': DevicesStep;
  }
}
