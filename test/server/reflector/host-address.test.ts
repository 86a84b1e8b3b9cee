import { describe, expect, it } from 'vitest';
import type { NetworkInterfaceInfo } from 'node:os';
import { checkHostAddresses } from '../../../server/serve.js';
import { serveOptionsFromFlags, type ServeFlags } from '../../../server/config/options.js';
import { hostAddressOf, type NetworkInterfaces } from '../../../server/reflector/host-address.js';
import { serveFlags } from '../config/serve-flags.js';

const info = (address: string, cidr: string, internal: boolean): NetworkInterfaceInfo =>
  address.includes(':')
    ? { address, cidr, internal, family: 'IPv6', netmask: 'ffff:ffff:ffff:ffff::', mac: '00:00:00:00:00:00', scopeid: 0 }
    : { address, cidr, internal, family: 'IPv4', netmask: '255.0.0.0', mac: '00:00:00:00:00:00' };

/** A multi-homed host: loopback, a public and a private interface. */
const HOST: NetworkInterfaces = {
  lo: [info('127.0.0.1', '127.0.0.1/8', true), info('::1', '::1/128', true)],
  eth0: [info('203.0.113.5', '203.0.113.5/24', false), info('2001:db8::5', '2001:db8::5/64', false)],
  eth1: [info('10.0.0.5', '10.0.0.5/24', false)],
};

describe('the host address the reflector speaks from', () => {
  it('is the address itself when an interface has it', () => {
    expect(hostAddressOf('10.0.0.5', HOST)).toEqual({ address: '10.0.0.5', interfaceAddress: '10.0.0.5', interfaceName: 'eth1', assigned: true });
    expect(hostAddressOf('2001:DB8:0::5', HOST)?.interfaceAddress).toBe('2001:db8::5');
    expect(hostAddressOf('::ffff:203.0.113.5', HOST)?.interfaceAddress).toBe('203.0.113.5');
  });

  it("is the loopback interface's own address for another address of the loopback prefix", () => {
    expect(hostAddressOf('127.0.0.2', HOST)).toEqual({ address: '127.0.0.2', interfaceAddress: '127.0.0.1', interfaceName: 'lo', assigned: false });
  });

  it('is none for an address no interface has, even inside an interface prefix', () => {
    expect(hostAddressOf('10.0.0.6', HOST)).toBeNull(); // eth1's /24 is routed there, not local
    expect(hostAddressOf('192.0.2.99', HOST)).toBeNull();
    expect(hostAddressOf('::2', HOST)).toBeNull();
    expect(hostAddressOf('not-an-ip', HOST)).toBeNull();
  });
});

describe('serve refuses at start an address the host does not have', () => {
  const check = (f: Partial<ServeFlags>): void => checkHostAddresses(serveOptionsFromFlags({ ...serveFlags, ...f }), HOST);

  it('takes every address it has, a loopback-prefix address, and the wildcards with a relay address it has', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '10.0.0.5', '203.0.113.5', '2001:db8::5', '::1']) expect(() => check({ host }), host).not.toThrow();
    expect(() => check({ host: '0.0.0.0', relayIp: '10.0.0.5' })).not.toThrow();
    expect(() => check({ host: '::', relayIp: '203.0.113.5,2001:db8::5' })).not.toThrow();
  });

  it('refuses another, naming the flag and the addresses it has', () => {
    expect(() => check({ host: '10.0.0.6' })).toThrow(
      '--host 10.0.0.6: this host has no such address (its interfaces have 127.0.0.1, ::1, 203.0.113.5, 2001:db8::5, 10.0.0.5)',
    );
    expect(() => check({ host: '0.0.0.0', relayIp: '198.51.100.7' })).toThrow(/^--relay-ip 198\.51\.100\.7: this host has no such address/);
    expect(() => check({ host: '::', relayIp: '203.0.113.5,2001:db8::6' })).toThrow(/^--relay-ip 2001:db8::6: /);
    expect(() => check({ host: '10.0.0.5', relayIp: '10.0.0.9' })).toThrow(/^--relay-ip 10\.0\.0\.9: /);
  });
});
