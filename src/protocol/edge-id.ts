/** An edge's id, as every side checks it: its own module, so the page URL's parser reads it without the value grammars of ./values.ts. */
import { BOUNDS } from './defaults.js';

/** An edge's id (`serve --edge-id`, `edge-token --edge`): lower-case letters, digits and hyphens, starting with a letter or digit, as it names the edge in URLs, reports and logs. */
export const EDGE_ID_PATTERN = `^[a-z0-9][a-z0-9-]{0,${BOUNDS.edgeIdChars - 1}}$`;
