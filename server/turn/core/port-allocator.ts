/** Default RelayPortAllocator (RFC 8656 §7.2 step 8, random per RFC 6056 §3.3.1). */
import type { RelayPortAllocator } from './types.js';

/**
 * Random ports in [min, max], skipping ports this relay holds; `{min: 0, max: 0}` asks the OS
 * for an ephemeral port (tests). Returns null when every port of the range is in use.
 */
export function randomPortAllocator(min: number, max: number, random: () => number = Math.random): RelayPortAllocator {
  if (min === 0 && max === 0) return () => 0;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || min > max) {
    throw new RangeError(`bad relay port range ${min}-${max}`);
  }
  const span = max - min + 1;
  return (_family, inUse, even) => {
    const ok = (p: number): boolean => !inUse.has(p) && (!even || p % 2 === 0);
    for (let i = 0; i < 32; i++) {
      const p = min + Math.floor(random() * span);
      if (ok(p)) return p;
    }
    const start = Math.floor(random() * span);
    for (let i = 0; i < span; i++) {
      const p = min + ((start + i) % span);
      if (ok(p)) return p;
    }
    return null;
  };
}
