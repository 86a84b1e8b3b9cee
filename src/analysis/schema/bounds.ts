/**
 * Upper bounds on every text and list of a report, for what comes from outside (POST
 * /api/results): the report schemas say what a report is, these say how big any part of one
 * may be. A real report is ~19-23 KB; its longest texts are sentences of a few hundred
 * characters and its longest lists are a few dozen suspect intervals, so the bounds leave
 * room many times over and refuse only what no callprobe writes (a 255 KiB user agent).
 *
 * `withBounds(schema)` is a copy of a schema with a `maxLength` on every string and a
 * `maxItems` on every array that has none: `TEXT_MAX_CHARS` and `LIST_MAX_ITEMS`, or the
 * narrower bound of its path below. The schemas themselves stay as they are, so a stored
 * report is read as it always was; `unboundedPaths` names what a schema leaves unbounded
 * (the route schemas' test walks every route with it).
 */
import { CloneType, type TSchema } from '@sinclair/typebox';

/** Any text of a report: its longest are sentences and error details of a few hundred characters. */
const TEXT_MAX_CHARS = 2048;
/** Any list of a report: its longest are suspect intervals (a few dozen in a troubled 10-minute test). */
const LIST_MAX_ITEMS = 256;

/**
 * Narrower bounds by path (`*` is any item of a list). A user agent is ~150-250 characters;
 * the ladder has 6 standard rungs, twice that with dual stack; 6 targets in 3 directions.
 */
const NARROWER_BOUNDS: Readonly<Record<string, number>> = {
  '/meta/browser': 512,
  '/meta/callprobeVersion': 64,
  '/meta/startedAt': 64,
  '/meta/ports': 32,
  '/meta/targets': 16,
  '/connectivity': 32,
  '/compare/rungs': 32,
  '/grades': 32,
  '/hints': 32,
  '/mos/perDirection': 4,
};

/** The JSON Schema keywords this walks (TypeBox writes plain JSON Schema). */
interface Node {
  type?: unknown;
  const?: unknown;
  enum?: unknown;
  maxLength?: number;
  maxItems?: number;
  properties?: Record<string, Node>;
  additionalProperties?: boolean | Node;
  patternProperties?: Record<string, Node>;
  items?: Node | Node[];
  anyOf?: Node[];
  allOf?: Node[];
  oneOf?: Node[];
}

/** Calls `f` on every schema inside `n` (itself included) with its path. */
function visit(n: Node, path: string, f: (n: Node, path: string) => void): void {
  f(n, path);
  for (const [k, p] of Object.entries(n.properties ?? {})) visit(p, `${path}/${k}`, f);
  for (const p of Object.values(n.patternProperties ?? {})) visit(p, `${path}/*`, f);
  if (typeof n.additionalProperties === 'object') visit(n.additionalProperties, `${path}/*`, f);
  if (Array.isArray(n.items)) for (const i of n.items) visit(i, `${path}/*`, f);
  else if (n.items !== undefined) visit(n.items, `${path}/*`, f);
  for (const alt of [...(n.anyOf ?? []), ...(n.allOf ?? []), ...(n.oneOf ?? [])]) visit(alt, path, f);
}

/** A string schema that can only be fixed texts (a literal or an enum) needs no length bound. */
const fixedText = (n: Node): boolean => n.const !== undefined || n.enum !== undefined;

/** A copy of `schema` with every string and array bounded (its own bound, else the path's, else the default). */
export function withBounds<T extends TSchema>(schema: T, narrower: Readonly<Record<string, number>> = NARROWER_BOUNDS): T {
  const copy = CloneType(schema);
  visit(copy as Node, '', (n, path) => {
    if (n.type === 'string' && n.maxLength === undefined && !fixedText(n)) n.maxLength = narrower[path] ?? TEXT_MAX_CHARS;
    if (n.type === 'array' && n.maxItems === undefined) n.maxItems = narrower[path] ?? LIST_MAX_ITEMS;
  });
  return copy;
}

/**
 * What `schema` leaves unbounded: every string without `maxLength`, array without `maxItems`,
 * and object open to properties of any kind (`additionalProperties` absent or true), by path.
 */
export function unboundedPaths(schema: TSchema): string[] {
  const out: string[] = [];
  visit(schema as Node, '', (n, path) => {
    const at = path === '' ? '/' : path;
    if (n.type === 'string' && n.maxLength === undefined && !fixedText(n)) out.push(`${at} (string without maxLength)`);
    if (n.type === 'array' && n.maxItems === undefined) out.push(`${at} (array without maxItems)`);
    if (n.type === 'object' && (n.additionalProperties === undefined || n.additionalProperties === true)) out.push(`${at} (object open to any property)`);
  });
  return out;
}
