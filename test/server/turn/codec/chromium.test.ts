import { describe, expect, it } from 'vitest';
import {
  Attr,
  MessageClass,
  Method,
  StunWriter,
  TRANSPORT_UDP,
  appendIntegrity,
  checkIntegrity,
  decodeStun,
  findAttr,
  longTermKey,
  readChannelNumber,
  readData,
  readLifetimeS,
  readRequestedTransport,
  readText,
} from '../../../../server/turn/codec/index.js';
import { formatIp } from '../../../../src/protocol/ip.js';
import * as chrome from '../fixtures/chromium.js';
import { T0, errorCodeOf, makeHarness, must, reply, xorAddr } from '../helpers/core-harness.js';

const key = longTermKey(chrome.CHROMIUM_USERNAME, chrome.CHROMIUM_REALM, chrome.CHROMIUM_PASSWORD);

describe('captured Chromium messages', () => {
  it('decode exactly, and every authenticated one verifies with the run credentials', () => {
    for (const c of chrome.CHROMIUM_CAPTURES.filter((x) => x.name !== 'channelDataHead')) {
      const m = decodeStun(c.bytes);
      if (findAttr(m, Attr.MessageIntegrity)) expect(checkIntegrity(m, key), c.name).toBe('ok');
    }
  });

  it('Allocate: REQUESTED-TRANSPORT UDP, then USERNAME/REALM/NONCE/MI, re-encoded byte for byte', () => {
    const m = decodeStun(chrome.allocateAuthenticated);
    expect([m.method, m.cls]).toEqual([Method.Allocate, MessageClass.Request]);
    expect(readRequestedTransport(m)).toBe(TRANSPORT_UDP);
    expect(readText(m, Attr.Username)).toBe(chrome.CHROMIUM_USERNAME);
    expect(readText(m, Attr.Realm)).toBe('callprobe');
    const w = new StunWriter(Method.Allocate, MessageClass.Request, m.transactionId);
    w.addUint32(Attr.RequestedTransport, TRANSPORT_UDP << 24);
    w.addString(Attr.Username, chrome.CHROMIUM_USERNAME);
    w.addString(Attr.Realm, chrome.CHROMIUM_REALM);
    w.addString(Attr.Nonce, must(readText(m, Attr.Nonce)));
    appendIntegrity(w, key);
    expect(w.build().toString('hex')).toBe(chrome.allocateAuthenticated.toString('hex'));
  });

  it('ChannelBind, CreatePermission, Refresh and Send carry what RFC 8656 says', () => {
    const bind = decodeStun(chrome.channelBind);
    expect(readChannelNumber(bind)).toBe(0x4000);
    expect(formatIp(xorAddr(bind, Attr.XorPeerAddress).ip)).toBe('127.0.0.1');
    const perm = decodeStun(chrome.createPermission);
    expect(perm.method).toBe(Method.CreatePermission);
    expect(formatIp(xorAddr(perm, Attr.XorPeerAddress).ip)).toBe('127.0.0.1');
    expect(readLifetimeS(decodeStun(chrome.refreshDelete))).toBe(0);
    const send = decodeStun(chrome.sendIndication);
    expect([send.method, send.cls]).toEqual([Method.Send, MessageClass.Indication]);
    // The DATA is Chromium's ICE check: a STUN Binding request with a valid FINGERPRINT.
    const inner = decodeStun(must(readData(send)));
    expect([inner.method, inner.cls]).toEqual([Method.Binding, MessageClass.Request]);
    expect(findAttr(inner, 0xc057)).toBeDefined();
    expect(chrome.channelDataHead.readUInt16BE(0)).toBe(0x4000);
  });

  it('the core answers them as a real server must', () => {
    const h = makeHarness();
    const c = h.client(53000);
    const challenge = reply(h.core.handleClient(c, chrome.allocateUnauthenticated, T0));
    expect(errorCodeOf(challenge)).toBe(401);
    // Their nonce came from another relay process: 438 with a fresh one, so Chromium retries.
    const stale = reply(h.core.handleClient(c, chrome.allocateAuthenticated, T0));
    expect(errorCodeOf(stale)).toBe(438);
    expect(readText(stale, Attr.Nonce)).toMatch(/^[0-9a-f]{32}$/);
    const binding = reply(h.core.handleClient(c, chrome.bindingRequest, T0));
    expect(binding.cls).toBe(MessageClass.Success);
    expect(xorAddr(binding, Attr.XorMappedAddress).port).toBe(53000);
  });
});
