/**
 * A non-loopback address for a local test: a veth pair with a 10.77.x address on each end,
 * inside the network namespace this process already runs in, which must be one made for the
 * test (scripts/netns-run.sh sets CALLPROBE_IN_NETNS=1). Firefox refuses a TURN relay on a
 * loopback address whatever its settings, so a test in Firefox needs one; both ends are in this
 * namespace, so nothing can leave it (the kernel here has no dummy interface module).
 */
import { execFileSync } from 'node:child_process';

class VethError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VethError';
  }
}

export interface Veth {
  /** The address a server listens on. */
  address: string;
  /** The other end's address (another local address, for a second peer). */
  peerAddress: string;
  remove(): void;
}

/** Why a veth pair cannot be made here, or null when it can (root, `ip`, inside a test's own namespace). */
export function vethUnavailable(): string | null {
  if (process.env['CALLPROBE_IN_NETNS'] !== '1') return 'not inside a test network namespace (run through scripts/netns-run.sh)';
  if (process.getuid?.() !== 0) return 'not root: cannot add a veth pair';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return "no 'ip' command (iproute2)";
  }
  return null;
}

/** Adds the pair (`subnet` 0-255 picks 10.77.<subnet>.1 and .2); `remove()` deletes both ends. */
export function addVeth(subnet: number): Veth {
  const why = vethUnavailable();
  if (why !== null) throw new VethError(why);
  const a = `cpv${String(process.pid % 100000)}a${String(subnet)}`;
  const b = `cpv${String(process.pid % 100000)}b${String(subnet)}`;
  const address = `10.77.${String(subnet)}.1`;
  const peerAddress = `10.77.${String(subnet)}.2`;
  const ip = (...args: string[]): void => {
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  ip('link', 'add', a, 'type', 'veth', 'peer', 'name', b);
  try {
    ip('addr', 'add', `${address}/24`, 'dev', a);
    ip('addr', 'add', `${peerAddress}/24`, 'dev', b);
    // No IPv6 link-local address arriving a second later: browsers take it for a network change.
    for (const dev of [a, b]) ip('link', 'set', 'dev', dev, 'addrgenmode', 'none');
    ip('link', 'set', a, 'up');
    ip('link', 'set', b, 'up');
  } catch (err) {
    ip('link', 'del', a);
    throw err;
  }
  return { address, peerAddress, remove: () => ip('link', 'del', a) };
}
