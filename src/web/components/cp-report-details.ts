/** Registers <cp-report-details>. */
import { ReportDetails } from './report-details.js';

export { ReportDetails };
ReportDetails.define('cp-report-details');

declare global {
  interface HTMLElementTagNameMap {
    'cp-report-details': ReportDetails;
  }
}
