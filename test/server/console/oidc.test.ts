/**
 * The company sign-in's parts without a provider: the flags' grammars (an http issuer only on
 * loopback, the groups file), the tier a group claim gives, the sign-ins held while at the
 * provider (bounded, expiring, each taken once) and the session user a company account is kept
 * under (never a local user's name).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseOidcClientId, parseOidcGroups, parseOidcIssuer, readOidcSecretFile, roleOfClaims } from '../../../server/console/oidc-config.js';
import { companySessionUser, PendingSignIns, sessionAgent } from '../../../server/console/oidc.js';
import { parseUserName } from '../../../server/console/credentials.js';
import { testClock } from '../store/store-kit.js';

const dir = mkdtempSync(join(tmpdir(), 'callprobe-oidc-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the --oidc-* flags', () => {
  it('take an https issuer, or plain http on loopback only', () => {
    for (const ok of ['https://login.microsoftonline.com/0000-1111/v2.0', 'https://corp.okta.com/oauth2/default', 'http://127.0.0.2:8080', 'http://[::1]:1'])
      expect(parseOidcIssuer(ok)).toBe(ok);
    expect(() => parseOidcIssuer('http://idp.corp.example')).toThrow(/must be https/);
    expect(() => parseOidcIssuer('https://idp.corp.example/?x=1')).toThrow(/no query/);
    expect(() => parseOidcIssuer('idp.corp.example')).toThrow(/the issuer's URL/);
    expect(() => parseOidcClientId('has space')).toThrow(/visible ASCII/);
  });

  it("read the secret as the file's one line", () => {
    const file = join(dir, 'secret');
    writeFileSync(file, 'a-secret-from-the-provider\n');
    expect(readOidcSecretFile(file)).toBe('a-secret-from-the-provider');
    writeFileSync(file, 'two\nlines\n');
    expect(() => readOidcSecretFile(file)).toThrow(/one line/);
  });

  it('read the groups file: the claim (groups unless named), each tier, a group in one tier only', () => {
    expect(parseOidcGroups('{"tier2":["hd-2"],"tier1":["hd-1"]}', 'g.json')).toEqual({ claim: 'groups', tier1: ['hd-1'], tier2: ['hd-2'], scopes: [] });
    expect(parseOidcGroups('{"claim":"roles","tier1":["Helpdesk.Tier1"],"scopes":["groups"]}', 'g.json')).toMatchObject({ claim: 'roles', scopes: ['groups'] });
    expect(() => parseOidcGroups('{}', 'g.json')).toThrow(/names no group/);
    expect(() => parseOidcGroups('{"tier1":["a"],"tier2":["a"]}', 'g.json')).toThrow(/"a" is in tier1 and tier2/);
    expect(() => parseOidcGroups('{"tier1":["a"],"admins":["b"]}', 'g.json')).toThrow(/--oidc-groups g.json/);
    expect(() => parseOidcGroups('{"tier1":["a"],"scopes":["openid"]}', 'g.json')).toThrow(/openid is always asked for/);
  });
});

describe('the tier of a group claim', () => {
  const groups = { claim: 'groups', tier1: ['hd-1'], tier2: ['hd-2'], scopes: [] };
  it('is tier 2 for a tier 2 group, else tier 1 for a tier 1 group, else none', () => {
    expect(roleOfClaims(groups, { groups: ['staff', 'hd-1', 'hd-2'] })).toBe('tier2');
    expect(roleOfClaims(groups, { groups: ['hd-1'] })).toBe('tier1');
    expect(roleOfClaims(groups, { groups: 'hd-1' })).toBe('tier1');
    expect(roleOfClaims(groups, { groups: ['staff'] })).toBeNull();
    expect(roleOfClaims(groups, { groups: [{ name: 'hd-2' }] })).toBeNull();
    expect(roleOfClaims(groups, { roles: ['hd-2'] })).toBeNull();
    expect(roleOfClaims(groups, {})).toBeNull();
  });
});

describe('the sign-ins held while at the provider', () => {
  it('are each taken once, refused after their time, and never more than the bound (the oldest dropped)', () => {
    const clock = testClock();
    const pending = new PendingSignIns(600_000, 3, clock.nowMs);
    const p = (n: number) => ({ nonce: `n${n}`, codeVerifier: `v${n}`, redirectUri: 'https://c.example/cb', createdAtMs: clock.nowMs() });
    pending.add('s1', p(1));
    expect(pending.take('s1')).toMatchObject({ nonce: 'n1' });
    expect(pending.take('s1')).toBe('unknown');
    for (let i = 2; i <= 6; i++) pending.add(`s${i}`, p(i));
    expect(pending.size).toBe(3);
    expect(pending.take('s3')).toBe('unknown');
    expect(pending.take('s4')).toMatchObject({ nonce: 'n4' });
    clock.advance(600_000);
    expect(pending.take('s5')).toBe('expired');
    // The expired ones go as the next comes.
    pending.add('s7', p(7));
    expect(pending.size).toBe(1);
  });
});

describe("a company account's session user", () => {
  it('keeps the subject and the shown name, and is never a local user name', () => {
    const user = companySessionUser({ subject: 'AAAAAAAAAAAAAAAAAAAAAI7x "q"', shown: 'ana@corp.example' });
    expect(sessionAgent(user)).toEqual({ name: 'ana@corp.example', subject: 'AAAAAAAAAAAAAAAAAAAAAI7x "q"' });
    expect(sessionAgent('ana')).toEqual({ name: 'ana', subject: null });
    expect(() => parseUserName(user)).toThrow();
  });
});
