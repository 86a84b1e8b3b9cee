/**
 * The results routes' doors: who may post or read now, what an anonymous upload may still store
 * today, and the global budget of failed result-code lookups. Per source (an IPv4 address, an
 * IPv6 /64) the routes' rate limits count; per network (an IPv6 /48) the same rates and the day's
 * bytes hold a few sources' worth (server/common/door.ts networkBound); every refusal is counted
 * by door and scope (callprobe_refusals_total). The doors hold no result: the store is asked
 * through the functions handed in.
 */
import type { FastifyRequest } from 'fastify';
import { CONSTANTS } from '../../src/protocol/defaults.js';
import { unmapIpv4 } from '../store/address.js';
import type { StoredResult } from '../store/results/types.js';
import type { ClaimedResult } from '../store/chain/types.js';
import { rateLimited, Refusal } from './refusal.js';
import { sourceKey } from './signal-limits.js';
import { UploadBudget } from './upload-budget.js';
import { LookupBudget, lookupNetwork } from './lookup-budget.js';
import { NetworkRate } from './network-rate.js';
import { networkBound, type DoorRefusals } from '../common/door.js';
import { networkKey } from '../common/source-key.js';

/** The doors' bounds (ResultsOptions' own), their clock and where refusals are counted. */
export interface ResultsDoorsOptions {
  postsPerMinutePerIp: number;
  readsPerMinutePerIp: number;
  /** Bytes of results one anonymous source may have stored per day. */
  storedBytesPerDayPerSource: number;
  /** Failed result-code lookups per minute over every source together. */
  failedLookupsPerMinute: number;
  /** ms since the epoch; default Date.now. */
  nowMs?: () => number;
  doorRefusals?: DoorRefusals;
}

/** An upload's place in the day's budgets: its source and network, its size, and whether it was counted (to refund when it stored nothing). */
export interface UploadCharge {
  source: string;
  network: string;
  bytes: number;
  charged: boolean;
}

type RouteLimit = ReturnType<typeof rateLimited>;

const networkBusy = (): Refusal => new Refusal('rate-limited', 'too many requests from your network: retry in a minute', 429);

export class ResultsDoors {
  private readonly nowMs: () => number;
  private readonly stored: UploadBudget;
  private readonly storedByNetwork: UploadBudget;
  private readonly postsByNetwork: NetworkRate;
  private readonly readsByNetwork: NetworkRate;
  private readonly lookups: LookupBudget;

  constructor(private readonly o: ResultsDoorsOptions) {
    this.nowMs = o.nowMs ?? (() => Date.now());
    this.stored = new UploadBudget(o.storedBytesPerDayPerSource, this.nowMs);
    // The /64s of one /48 share a network's budget and rates: a few sources' worth (CONSTANTS.doors).
    this.storedByNetwork = new UploadBudget(networkBound(o.storedBytesPerDayPerSource), this.nowMs);
    this.postsByNetwork = new NetworkRate(networkBound(o.postsPerMinutePerIp), this.nowMs);
    this.readsByNetwork = new NetworkRate(networkBound(o.readsPerMinutePerIp), this.nowMs);
    this.lookups = new LookupBudget(o.failedLookupsPerMinute, CONSTANTS.results.lookupFreeNetworksPerMinute, this.nowMs);
  }

  /** The posts' per-source rate limit (a route's `config`), its refusals counted at result-upload. */
  posts(): RouteLimit {
    return this.perSource(rateLimited(this.o.postsPerMinutePerIp, 'results-post'), 'result-upload');
  }

  /** The code reads' per-source rate limit (a route's `config`), its refusals counted at code-lookup. */
  reads(): RouteLimit {
    return this.perSource(rateLimited(this.o.readsPerMinutePerIp, 'results-read'), 'code-lookup');
  }

  /** A post (an upload): within its network's rate (the source's is the route's rate limit); else refused. */
  admitPost(ip: string): void {
    if (this.postsByNetwork.take(ip)) return;
    this.o.doorRefusals?.count('result-upload', 'network');
    throw networkBusy();
  }

  /** A read of a result code: within its network's rate (the source's is the route's rate limit); else refused. */
  admitRead(req: Pick<FastifyRequest, 'ip'>): void {
    if (this.readsByNetwork.take(req.ip)) return;
    this.o.doorRefusals?.count('code-lookup', 'network');
    throw networkBusy();
  }

  /** A result code typed by a user, looked up (`find`) within the global budget of failed lookups; refused while it is spent. */
  async lookUp(ip: string, find: () => Promise<StoredResult | null>): Promise<StoredResult | null> {
    const network = lookupNetwork(unmapIpv4(ip));
    if (!this.lookups.open(network)) {
      this.o.doorRefusals?.count('code-lookup', 'total');
      throw new Refusal(
        'lookups-busy',
        `too many unknown result codes were asked for in the last minute, from everywhere: retry in ${this.lookups.retryAfterS()} s`,
        429,
      );
    }
    const r = await find();
    if (r === null) this.lookups.failed(network);
    return r;
  }

  /**
   * A code an upload claims as its earlier result (`meta.previousCode`), looked up (`find`): the
   * uploader can read back whether it was kept, so it is a lookup, within the same budget of
   * failed lookups (a network whose lookups are refused has its claims dropped, unchecked: null).
   */
  async claimed(ip: string, find: () => Promise<ClaimedResult | null>): Promise<ClaimedResult | null> {
    const network = lookupNetwork(unmapIpv4(ip));
    if (!this.lookups.open(network)) return null;
    const found = await find();
    if (found === null) this.lookups.failed(network);
    return found;
  }

  /**
   * An upload of `bytes` from `ip`, counted in its source's and its network's day unless `exempt`
   * (the operator, a site's own token). Over either budget only a retry of a sample already
   * stored goes on (`storedAlready`: it stores nothing); anything else is refused until the day ends.
   */
  async admitUpload(ip: string, bytes: number, exempt: boolean, storedAlready: () => Promise<boolean>): Promise<UploadCharge> {
    const source = sourceKey(ip);
    const network = networkKey(ip);
    let charged = !exempt && this.stored.take(source, bytes);
    // The source's share fits: its network's too? (A source alone never exceeds it: it is 4 sources' worth.)
    const networkFull = charged && !this.storedByNetwork.take(network, bytes);
    if (networkFull) {
      this.stored.refund(source, bytes);
      charged = false;
    }
    if (!exempt && !charged && !(await storedAlready())) {
      const perSource = this.o.storedBytesPerDayPerSource;
      const endsAt = new Date((networkFull ? this.storedByNetwork.dayEndsAtMs(network) : this.stored.dayEndsAtMs(source)) ?? this.nowMs()).toISOString();
      this.o.doorRefusals?.count('result-upload', networkFull ? 'network' : 'source');
      throw new Refusal(
        'upload-budget',
        networkFull
          ? `your network has stored its share of results for the day (${networkBound(perSource)} bytes): more from ${endsAt}`
          : `your address has stored its share of results for the day (${perSource} bytes): more from ${endsAt}`,
        429,
      );
    }
    return { source, network, bytes, charged };
  }

  /** An upload that stored nothing (its sample was stored already): what it was counted is given back. */
  refund(c: UploadCharge): void {
    if (!c.charged) return;
    this.stored.refund(c.source, c.bytes);
    this.storedByNetwork.refund(c.network, c.bytes);
  }

  /** A route's per-source rate limit, its refusals counted at `door` (scope source). */
  private perSource(limit: RouteLimit, door: 'result-upload' | 'code-lookup'): RouteLimit {
    return { rateLimit: { ...limit.rateLimit, onExceeded: () => this.o.doorRefusals?.count(door, 'source') } };
  }
}
