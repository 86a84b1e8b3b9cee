/**
 * The hub's registry of its edges as this instance knows it: the edges heard from within
 * `silentAfterMs`, read from the store every `refreshMs` (another hub instance on the same store
 * may have heard a beat) and updated at once by each beat this instance takes. It answers, without
 * a store round trip, what the page's configuration (`ServerConfig.edges`, credentials minted with
 * each edge's own secret), GET /api/edges and the page's Content-Security-Policy need.
 */
import { randomUUID } from 'node:crypto';
import type { EdgeOffer, ServerConfig } from '../../src/protocol/api.js';
import type { EdgeView } from '../../src/protocol/api-edges.js';
import { mintRestCredential } from '../turn/credentials.js';
import type { EdgeRecord, EdgesRepository } from '../store/edges/types.js';

export interface EdgeRegistrySettings {
  /** An edge not heard from for this long is no longer listed (DEFAULTS.edges.silentAfterMs). */
  silentAfterMs: number;
  /** The store is read again this often (DEFAULTS.edges.registryRefreshMs). */
  refreshMs: number;
  /** The lifetime of the TURN credentials minted for a page (serve --credential-ttl). */
  credentialTtlS: number;
}

export class EdgeRegistry {
  private known = new Map<string, EdgeRecord>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly store: Pick<EdgesRepository, 'heardSince'>,
    private readonly settings: EdgeRegistrySettings,
    private readonly nowMs: () => number,
    private readonly warn: (message: string) => void,
  ) {}

  /** Reads the store once now, then every refreshMs (the timer never keeps the process alive). */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.settings.refreshMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reads the edges heard within silentAfterMs from the store (one read at a time); a failed read keeps what was known, and says so. */
  refresh(): Promise<void> {
    this.refreshing ??= this.store
      .heardSince(this.nowMs() - this.settings.silentAfterMs)
      .then(
        (records) => {
          this.known = new Map(records.map((r) => [r.id, r]));
        },
        (err: Error) => this.warn(`edges: could not read the registry from the store (kept what was known): ${err.message}`),
      )
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  /** A beat this instance took (already in the store). */
  heard(record: EdgeRecord): void {
    this.known.set(record.id, record);
  }

  /** A revoked token's edge leaves at once (the store dropped its row). */
  forgetToken(tokenId: string): void {
    for (const [id, r] of this.known) if (r.tokenId === tokenId) this.known.delete(id);
  }

  /** The edges heard from within silentAfterMs and not stopping, by id. */
  listed(): EdgeRecord[] {
    const since = this.nowMs() - this.settings.silentAfterMs;
    return [...this.known.values()].filter((r) => r.lastBeatMs >= since && r.beat.state !== 'draining').sort((a, b) => a.id.localeCompare(b.id));
  }

  /** GET /api/edges: the listed edges, never their secrets. */
  views(): EdgeView[] {
    return this.listed().map((r) => ({
      id: r.id,
      azureRegion: r.beat.azureRegion,
      state: r.beat.state,
      lastHeartbeatAt: new Date(r.lastBeatMs).toISOString(),
      version: r.beat.version,
      load: r.beat.load,
      urls: r.beat.urls,
    }));
  }

  /** What a page gets of each ready edge: a configuration of its own, its credential minted now with that edge's secret. */
  offers(): EdgeOffer[] {
    const nowMs = this.nowMs();
    return this.listed()
      .filter((r) => r.beat.state === 'ready')
      .map((r) => ({ id: r.id, azureRegion: r.beat.azureRegion, config: this.configOf(r, nowMs) }));
  }

  /** The origins the hub's page may open a WebSocket to: each listed edge's signalling origin (ws: or wss:). */
  connectSources(): string[] {
    const out = new Set<string>();
    for (const r of this.listed()) {
      const signal = r.beat.urls.signal;
      if (signal === null) continue;
      const u = new URL(signal);
      out.add(`${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}`);
    }
    return [...out];
  }

  private configOf(r: EdgeRecord, nowMs: number): ServerConfig {
    const b = r.beat;
    const cred = mintRestCredential(b.turnSecret, randomUUID().slice(0, 8), this.settings.credentialTtlS, nowMs);
    return {
      callprobeVersion: b.version,
      username: cred.username,
      credential: cred.credential,
      credentialExpiresAtMs: cred.expiresAtMs,
      turn: b.urls.turn,
      notOffered: b.notOffered,
      reflectorPath: b.urls.signal,
      rtpReflector: b.rtpReflector,
      relay: b.relay,
      signalProtocol: b.signalProtocol,
      // The busy-line phase loads the line towards the hub: on an edge's probe stream it would measure another path.
      load: null,
    };
  }
}
