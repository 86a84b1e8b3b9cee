import type { SimplePeerCtor } from '../session/net/simple-peer.js';

/**
 * simple-peer's prebuilt browser bundle (it brings its own Buffer/process shims), loaded
 * when a test starts so that it is not part of the initial page bundle.
 */
export async function loadSimplePeer(): Promise<SimplePeerCtor> {
  const mod = await import('simple-peer/simplepeer.min.js');
  return mod.default;
}
