/** Registers <cp-test-form>. */
import { TestForm } from './test-form.js';

export { TestForm };
TestForm.define('cp-test-form');

declare global {
  interface HTMLElementTagNameMap {
    'cp-test-form': TestForm;
  }
}
