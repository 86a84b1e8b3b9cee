import { describe, expect, it } from 'vitest';
import {
  Attr,
  MessageClass,
  Method,
  StunWriter,
  addXorAddress,
  appendFingerprint,
  appendIntegrity,
  attrValue,
  checkIntegrity,
  decodeStun,
  decodeXorAddress,
  findAttr,
  longTermKey,
  readText,
  StunDecodeError,
} from '../../../../server/turn/codec/index.js';
import { formatIp, parseIp } from '../../../../src/protocol/ip.js';
import * as v from '../fixtures/rfc5769.js';
import { must } from '../helpers/core-harness.js';

const shortKey = Buffer.from(v.samplePassword, 'utf8');

describe('RFC 5769 §2.1 sample request', () => {
  const msg = decodeStun(v.sampleRequest);
  it('parses header and attributes', () => {
    expect(msg.method).toBe(Method.Binding);
    expect(msg.cls).toBe(MessageClass.Request);
    expect(msg.transactionId.toString('hex')).toBe('b7e7a701bc34d686fa87dfae');
    expect(msg.attributes.map((a) => a.type)).toEqual([
      Attr.Software,
      Attr.Priority,
      Attr.IceControlled,
      Attr.Username,
      Attr.MessageIntegrity,
      Attr.Fingerprint,
    ]);
    expect(readText(msg, Attr.Software)).toBe('STUN test client');
    expect(readText(msg, Attr.Username)).toBe('evtj:h6vY');
  });
  it('verifies MESSAGE-INTEGRITY with the short-term key and rejects a wrong key', () => {
    expect(checkIntegrity(msg, shortKey)).toBe('ok');
    expect(checkIntegrity(msg, Buffer.from('wrong'))).toBe('bad');
  });
  it('re-encodes byte for byte (0x20 padding, integrity and fingerprint recomputed)', () => {
    const w = new StunWriter(Method.Binding, MessageClass.Request, msg.transactionId, { paddingByte: 0x20 });
    w.addString(Attr.Software, 'STUN test client');
    w.add(Attr.Priority, Buffer.from('6e0001ff', 'hex'));
    w.add(Attr.IceControlled, Buffer.from('932ff9b151263b36', 'hex'));
    w.addString(Attr.Username, 'evtj:h6vY');
    appendIntegrity(w, shortKey);
    appendFingerprint(w);
    expect(w.build().toString('hex')).toBe(v.sampleRequest.toString('hex'));
  });
  it('rejects the vector with one fingerprint bit flipped', () => {
    const bad = Buffer.from(v.sampleRequest);
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 1;
    expect(() => decodeStun(bad)).toThrowError(StunDecodeError);
  });
});

describe('RFC 5769 §2.2-2.3 responses', () => {
  for (const [name, raw, ip] of [
    ['IPv4', v.ipv4Response, '192.0.2.1'],
    ['IPv6', v.ipv6Response, '2001:db8:1234:5678:11:2233:4455:6677'],
  ] as const) {
    it(`${name}: XOR-MAPPED-ADDRESS, integrity, fingerprint, re-encoding`, () => {
      const msg = decodeStun(raw);
      expect(msg.method).toBe(Method.Binding);
      expect(msg.cls).toBe(MessageClass.Success);
      expect(readText(msg, Attr.Software)).toBe('test vector');
      const a = findAttr(msg, Attr.XorMappedAddress);
      expect(a).toBeDefined();
      const addr = decodeXorAddress(msg, must(a));
      expect(formatIp(addr.ip)).toBe(ip);
      expect(addr.port).toBe(32853);
      expect(checkIntegrity(msg, shortKey)).toBe('ok');
      const w = new StunWriter(Method.Binding, MessageClass.Success, msg.transactionId, { paddingByte: 0x20 });
      w.addString(Attr.Software, 'test vector');
      addXorAddress(w, Attr.XorMappedAddress, { ip: parseIp(ip), port: 32853 });
      appendIntegrity(w, shortKey);
      appendFingerprint(w);
      expect(w.build().toString('hex')).toBe(raw.toString('hex'));
    });
  }
});

describe('RFC 5769 §2.4 long-term credentials', () => {
  const msg = decodeStun(v.longTermRequest);
  const key = longTermKey(v.longTermUsername, v.longTermRealm, v.longTermPassword);
  it('parses username, nonce, realm', () => {
    expect(readText(msg, Attr.Username)).toBe(v.longTermUsername);
    expect(readText(msg, Attr.Nonce)).toBe(v.longTermNonce);
    expect(readText(msg, Attr.Realm)).toBe(v.longTermRealm);
    expect(attrValue(msg, must(findAttr(msg, Attr.Realm))).length).toBe(11);
  });
  it('verifies integrity with MD5(username:realm:password)', () => {
    expect(key.toString('hex')).toHaveLength(32);
    expect(checkIntegrity(msg, key)).toBe('ok');
    expect(checkIntegrity(msg, longTermKey(v.longTermUsername, v.longTermRealm, 'thematrix'))).toBe('bad');
  });
  it('re-encodes byte for byte (zero padding)', () => {
    const w = new StunWriter(Method.Binding, MessageClass.Request, msg.transactionId);
    w.addString(Attr.Username, v.longTermUsername);
    w.addString(Attr.Nonce, v.longTermNonce);
    w.addString(Attr.Realm, v.longTermRealm);
    appendIntegrity(w, key);
    expect(w.build().toString('hex')).toBe(v.longTermRequest.toString('hex'));
  });
});
