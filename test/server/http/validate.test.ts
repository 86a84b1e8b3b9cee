/**
 * The app's schema check (TypeBox's compiler over src/protocol/api-requests.ts): a request part
 * that does not match is refused with the reason its schema (or the nearest one above) names,
 * a query parameter given twice as bad-query, and nothing is coerced or removed from what passes.
 */
import type { TSchema } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ConsoleLoginBody, ResultUploadBody, SiteReportQuery, SitesOverviewQuery } from '../../../src/protocol/api-requests.js';
import { typeboxValidator } from '../../../server/http/validate.js';
import { Refusal } from '../../../server/http/refusal.js';

function check(schema: TSchema, httpPart: string, data: unknown): true | { reason: string; message: string; statusCode: number } {
  const validate = typeboxValidator({ schema, httpPart, method: 'GET', url: '/x' });
  const answer = validate(data) as true | { error: unknown };
  if (answer === true) return true;
  if (!(answer.error instanceof Refusal)) throw new Error('not a Refusal');
  return { reason: answer.error.reason, message: answer.error.message, statusCode: answer.error.statusCode };
}

describe('the schema check of a request', () => {
  it('refuses with the reason of the part that failed, or of the nearest part above it', () => {
    expect(check(ResultUploadBody, 'body', [1, 2])).toMatchObject({ statusCode: 400, reason: 'not-an-object' });
    expect(check(ResultUploadBody, 'body', null)).toMatchObject({ reason: 'not-an-object' });
    expect(check(ResultUploadBody, 'body', { sampleId: 'bad id!' })).toMatchObject({ reason: 'bad-sample-id' });
    // A missing field has no schema of its own to name a reason: the body's says it.
    expect(check(ConsoleLoginBody, 'body', { name: 'ana' })).toMatchObject({
      reason: 'bad-login',
      message: expect.stringContaining('send { "name": ..., "password": ... } as JSON') as unknown,
    });
    expect(check(SiteReportQuery, 'querystring', { profile: 'best' })).toMatchObject({ reason: 'bad-profile' });
    expect(check(SiteReportQuery, 'querystring', { path: 'carrier-pigeon' })).toMatchObject({ reason: 'bad-path' });
  });

  it('refuses a query parameter given twice, and names an unknown one', () => {
    expect(check(SiteReportQuery, 'querystring', { since: ['7d', '8d'] })).toEqual({ statusCode: 400, reason: 'bad-query', message: 'give since once' });
    // Unknown parameters of a site report are ignored, but given once like the rest.
    expect(check(SiteReportQuery, 'querystring', { utm: 'x' })).toBe(true);
    expect(check(SiteReportQuery, 'querystring', { utm: ['x', 'y'] })).toMatchObject({ reason: 'bad-query', message: 'give utm once' });
    expect(check(SitesOverviewQuery, 'querystring', { site: 'Paris' })).toMatchObject({
      reason: 'bad-query',
      message: 'unknown parameter site: the overview takes since',
    });
  });

  it('coerces and removes nothing: what passes is what was sent', () => {
    const body = { sampleId: 'sample-0001', schemaVersion: 2, extra: { nested: [1, '2'] } };
    const copy = structuredClone(body);
    expect(check(ResultUploadBody, 'body', body)).toBe(true);
    expect(body).toEqual(copy);
    // A number where text is due is refused, not turned into text.
    expect(check(ResultUploadBody, 'body', { sampleId: 12345678 })).toMatchObject({ reason: 'bad-sample-id' });
    // Lengths count UTF-16 code units, as the report schema does: 64 four-byte characters are 128.
    expect(check(SiteReportQuery, 'querystring', { azureRegion: '🏢'.repeat(64) })).toBe(true);
    expect(check(SiteReportQuery, 'querystring', { azureRegion: '🏢'.repeat(65) })).toMatchObject({ reason: 'bad-profile' });
  });
});
