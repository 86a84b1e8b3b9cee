/**
 * Throttling of the help desk console's logins (OWASP Authentication Cheat Sheet, "Login
 * Throttling": slow the guesser down, never lock the account). Wrong passwords are counted per
 * (account, source), a source being an IPv4 address or an IPv6 /64 (server/common/source-key.ts).
 * After `freeFailures` of them, the pair waits before its next attempt, twice as long after each
 * further failure (base, 2 x base, 4 x base, ... up to `backoffMaxMs`); an attempt inside the
 * wait is refused without a password check and does not lengthen it. A right password clears
 * the pair. A caller at another source is never held back by it: an account cannot be locked
 * out from the Internet. Refusals are logged at most once per source per `logIntervalMs`, with
 * how many were not. Whether a network (an IPv6 /48: a spray from many /64s of one /48 is one
 * network; an IPv4 address) sent any wrong password within `forgetMs` (`recentlyFailed`) keeps a
 * password check free for those that did not, whatever a spray from many networks holds. The
 * networks an account logged in from (`knows`: the last `knownNetworksPerUser`, each for
 * `knownNetworkMs`) are checked first (./login-slots.ts). Memory is bounded: at most `maxPairs`
 * pairs and as many sources and networks are held (the least recently failed dropped first), a
 * pair quiet for `forgetMs` is forgotten, and known networks are kept only for accounts that
 * logged in (the users file's).
 */
export interface LoginThrottleSettings {
  /** Wrong passwords one (account, source) may send before it has to wait. */
  freeFailures: number;
  /** The first wait; each further failure doubles it. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A pair with no failure for this long starts afresh. */
  forgetMs: number;
  /** (account, source) pairs held at most. */
  maxPairs: number;
  /** One refusal log line per source per this long. */
  logIntervalMs: number;
  /** The networks an account logged in from that are remembered (the latest first)... */
  knownNetworksPerUser: number;
  /** ...each for this long after its last login. */
  knownNetworkMs: number;
}

export type LoginGate = { allowed: true } | { allowed: false; retryAfterMs: number };

interface Pair {
  failures: number;
  lastFailureMs: number;
  /** No attempt before this time. */
  waitUntilMs: number;
}

interface SourceLog {
  loggedAtMs: number;
  suppressed: number;
}

/** Map order is insertion order: deleting and setting again moves a key to the end (newest). */
function touch<V>(m: Map<string, V>, key: string, value: V, max: number): void {
  m.delete(key);
  m.set(key, value);
  while (m.size > max) m.delete(m.keys().next().value as string);
}

export class LoginThrottle {
  private readonly pairs = new Map<string, Pair>();
  private readonly logs = new Map<string, SourceLog>();
  /** Each network's last wrong password (ms). */
  private readonly lastFailureOf = new Map<string, number>();
  /** The networks each account logged in from, with the last time (insertion order: oldest first). */
  private readonly known = new Map<string, Map<string, number>>();

  constructor(
    private readonly s: LoginThrottleSettings,
    private readonly nowMs: () => number,
  ) {}

  private pair(account: string, source: string): { key: string; p: Pair | undefined } {
    // JSON: neither part can forge the separator of the other.
    const key = JSON.stringify([account, source]);
    const p = this.pairs.get(key);
    if (p !== undefined && this.nowMs() - p.lastFailureMs >= this.s.forgetMs) {
      this.pairs.delete(key);
      return { key, p: undefined };
    }
    return { key, p };
  }

  /** May `source` try a password for `account` now? */
  check(account: string, source: string): LoginGate {
    const { p } = this.pair(account, source);
    const waitMs = p === undefined ? 0 : p.waitUntilMs - this.nowMs();
    return waitMs > 0 ? { allowed: false, retryAfterMs: waitMs } : { allowed: true };
  }

  /** A wrong password from `source` of `network` for `account`; returns the wait before its next attempt (0: none). */
  failed(account: string, source: string, network: string): number {
    const now = this.nowMs();
    const { key, p } = this.pair(account, source);
    const failures = (p?.failures ?? 0) + 1;
    const over = failures - this.s.freeFailures;
    const waitMs = over <= 0 ? 0 : Math.min(this.s.backoffMaxMs, this.s.backoffBaseMs * 2 ** Math.min(over - 1, 40));
    touch(this.pairs, key, { failures, lastFailureMs: now, waitUntilMs: now + waitMs }, this.s.maxPairs);
    touch(this.lastFailureOf, network, now, this.s.maxPairs);
    return waitMs;
  }

  /** Whether `network` sent a wrong password (for any account) within the last `forgetMs`. */
  recentlyFailed(network: string): boolean {
    const last = this.lastFailureOf.get(network);
    return last !== undefined && this.nowMs() - last < this.s.forgetMs;
  }

  /** The right password from `source` of `network`: the pair starts afresh, and the network is one `account` is known to log in from. */
  succeeded(account: string, source: string, network: string): void {
    this.pairs.delete(this.pair(account, source).key);
    const nets = this.known.get(account) ?? new Map<string, number>();
    touch(nets, network, this.nowMs(), this.s.knownNetworksPerUser);
    touch(this.known, account, nets, this.s.maxPairs);
  }

  /** Whether `account` logged in from `network` within `knownNetworkMs`. */
  knows(account: string, network: string): boolean {
    const at = this.known.get(account)?.get(network);
    return at !== undefined && this.nowMs() - at < this.s.knownNetworkMs;
  }

  /**
   * A login from `source` was refused (wrong password or throttled): whether to write a log
   * line now, and how many refusals from that source went unlogged before it.
   */
  logRefusal(source: string): { suppressed: number } | null {
    const now = this.nowMs();
    const l = this.logs.get(source);
    if (l !== undefined && now - l.loggedAtMs < this.s.logIntervalMs) {
      l.suppressed++;
      return null;
    }
    touch(this.logs, source, { loggedAtMs: now, suppressed: 0 }, this.s.maxPairs);
    return { suppressed: l?.suppressed ?? 0 };
  }

  /** Pairs and sources held now (tests check the bound). */
  get size(): { pairs: number; sources: number; failingNetworks: number } {
    return { pairs: this.pairs.size, sources: this.logs.size, failingNetworks: this.lastFailureOf.size };
  }
}
