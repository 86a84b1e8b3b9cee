/**
 * Fastify's schema check of a request's query string, path parameters and body, by TypeBox's
 * compiler (the schemas of src/protocol/api-requests.ts): nothing in the request is coerced,
 * defaulted or removed, lengths count as the report schema counts them (UTF-16 code units),
 * and a request that does not match is refused with 400 and the refusal its schema names
 * (answered as `{ reason, message }` by ./refusal.ts).
 */
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type ValueError } from '@sinclair/typebox/compiler';
import type { FastifySchemaCompiler } from 'fastify';
import { refusalOf, type SchemaRefusal } from '../../src/protocol/api-requests.js';
import { Refusal } from './refusal.js';

/** The schema of each step of `path` (JSON Pointer, RFC 6901) below `root`, root first. */
function schemasAlong(root: TSchema, path: string): TSchema[] {
  const out = [root];
  let at: TSchema | undefined = root;
  for (const key of path.split('/').slice(1)) {
    const properties: Record<string, TSchema> | undefined = (at as { properties?: Record<string, TSchema> }).properties;
    at = properties?.[key.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (at === undefined) break;
    out.push(at);
  }
  return out;
}

/** The parameter an error is about: the last step of its path, or the request part itself. */
function nameOf(error: ValueError, part: string): string {
  const last = error.path.split('/').pop() ?? '';
  return last === '' ? part : last.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The refusal of the first problem: a query parameter given twice, else the nearest refusal its schema (or one above) names. */
function refusalFor(root: TSchema, error: ValueError, part: string): Refusal {
  const name = nameOf(error, part);
  const say = (r: SchemaRefusal): Refusal => new Refusal(r.reason, r.message.replace(/\{name\}/g, name), 400);
  if (part === 'querystring' && Array.isArray(error.value)) return say({ reason: 'bad-query', message: 'give {name} once' });
  const named = [...schemasAlong(root, error.path), error.schema].map(refusalOf).filter((r) => r !== null);
  const nearest = named[named.length - 1];
  return nearest !== undefined ? say(nearest) : new Refusal('bad-request', `${part} ${error.path || '/'}: ${error.message}`, 400);
}

/** The validator compiler of the app (Fastify's setValidatorCompiler): one compiled TypeBox check per route and part. */
export const typeboxValidator: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  const part = httpPart ?? 'request';
  return (data: unknown) => {
    if (check.Check(data)) return true;
    const first = check.Errors(data).First();
    return { error: first === undefined ? new Refusal('bad-request', `${part} does not match its schema`, 400) : refusalFor(schema, first, part) };
  };
};
