/**
 * A schedule's uploads: each sample written to the spool first and then sent with whatever still
 * waits, oldest first (spool.ts); when the disk refuses, sent straight away. The ledger knows
 * this run's samples not yet stored, those the server refused as malformed, those lost (neither
 * spooled nor stored), the result code of the sample just stored, and the server's refusal of
 * the token once one came (the run then stops, its samples waiting in the spool).
 */
import { DEFAULTS } from '../../src/protocol/defaults.js';
import { oneLine } from '../exit.js';
import { sendSpooled } from './send.js';
import type { Spool, SpoolEntry } from './spool.js';

/** Where a sample went: stored on the server, spooled (waiting), refused (kept in refused/), or lost (neither spooled nor stored). */
type UploadState = 'stored' | 'spooled' | 'refused' | 'lost';

/** Where the samples go: the server's origin and URL, the token they are sent with, the site whose samples this run sends. */
export interface UploadTarget {
  origin: string;
  server: string;
  token: string | null;
  siteKey: string;
  /** The site as the command named it (said in the token's refusal). */
  site: string;
}

/** One sample put in the ledger: where it went, its result code when stored at once, and what still waits (null: nothing). */
export interface Upload {
  upload: UploadState;
  code: string | null;
  waiting: string | null;
}

function whyText(err: unknown): string {
  return oneLine(err instanceof Error ? err.message : String(err));
}

export class UploadLedger {
  /** Result codes of the pass just made: only for the sample's own line, so a year of samples keeps no map. */
  private readonly codes = new Map<string, string>();
  /** This run's samples not yet stored. */
  private readonly pending = new Set<string>();
  private readonly refused = new Set<string>();
  private readonly lost = new Set<string>();
  private refusal: string | null = null;

  constructor(
    private readonly spool: Spool,
    private readonly to: UploadTarget,
    private readonly progress: (line: string) => void,
  ) {}

  /** The server's refusal of the token, once one came: the run stops and its samples wait in the spool. */
  get tokenRefused(): string | null {
    return this.refusal;
  }

  /** This run's samples still waiting in the spool. */
  get waitingCount(): number {
    return this.pending.size;
  }

  /** Whether every sample of this run was stored. */
  get allStored(): boolean {
    return this.pending.size === 0 && this.refused.size === 0 && this.lost.size === 0;
  }

  /**
   * One pass over the spool; `current` is the sample just taken (said on its own line, so the
   * waiting is not said here). Returns what still waits, or null.
   */
  async flush(current: string | null): Promise<string | null> {
    const dir = this.spool.dir;
    let r;
    try {
      // This site's samples only: another site's (a folder reused) wait for that site's token.
      r = await this.spool.drain(this.to.origin, DEFAULTS.schedule.spoolUploadsPerPass, (e) => this.send(e), this.to.siteKey);
    } catch (err) {
      this.progress(`spool ${dir}: ${whyText(err)}`);
      return `spool unreadable: ${whyText(err)}`;
    }
    for (const id of r.stored) this.pending.delete(id);
    for (const x of r.refused) {
      this.progress(`the server refused sample ${x.sampleId} as malformed: ${x.why}; kept in ${dir}/refused/ with the reason beside it`);
      if (this.pending.delete(x.sampleId)) this.refused.add(x.sampleId);
    }
    if (r.tokenRefused !== null) {
      this.refusal = r.tokenRefused;
      this.progress(`${oneLine(r.tokenRefused)} for "${this.to.site}": the samples wait in ${dir}; this run stops`);
    }
    const backlog = r.stored.filter((id) => id !== current).length;
    if (backlog > 0) this.progress(`sent ${backlog} spooled sample(s) from ${dir}`);
    if (r.otherServers > 0) this.progress(`${r.otherServers} spooled sample(s) in ${dir} are for another server: left alone`);
    if (r.otherSites > 0)
      this.progress(`${r.otherSites} spooled sample(s) in ${dir} are of another site: left alone (callprobe spool send with that site's token sends them)`);
    const waiting = r.left > 0 ? `${r.left} waiting${r.stoppedBy ? `: ${oneLine(r.stoppedBy)}` : ''}` : null;
    if (waiting !== null && current === null) this.progress(`${dir}: ${waiting}`);
    return waiting;
  }

  /** A sample just taken: spooled and sent with what waits; sent directly when the disk refuses it, lost (and said so) when that fails too. */
  async put(entry: SpoolEntry): Promise<Upload> {
    const id = entry.sampleId;
    this.pending.add(id);
    let waiting: string | null = null;
    try {
      await this.spool.put(entry);
      waiting = await this.flush(id);
    } catch (err) {
      // The disk refused (full, read-only): send this sample straight away; if that fails too it is lost, and said so.
      this.progress(`could not spool sample ${id} in ${this.spool.dir}: ${whyText(err)}; sending it directly`);
      const r = await this.send(entry);
      this.pending.delete(id);
      if (r.kind !== 'stored') {
        this.progress(`sample ${id} is lost: ${oneLine(r.why)}`);
        this.lost.add(id);
      }
    }
    const upload: UploadState = this.lost.has(id) ? 'lost' : this.refused.has(id) ? 'refused' : this.pending.has(id) ? 'spooled' : 'stored';
    const code = this.codes.get(id) ?? null;
    this.codes.clear();
    return { upload, code, waiting };
  }

  /** The run's end: what this run left waiting is offered once more (not after a refused token), then the count said. */
  async finish(samples: number): Promise<void> {
    if (this.pending.size > 0 && this.refusal === null) await this.flush(null);
    const { pending, refused, lost } = this;
    this.progress(
      `${samples} sample(s): ${samples - pending.size - refused.size - lost.size} stored, ${pending.size} waiting in ${this.spool.dir}, ${refused.size} refused, ${lost.size} lost` +
        (pending.size > 0 ? ' (the next run sends the waiting ones first)' : ''),
    );
  }

  private send(entry: SpoolEntry): ReturnType<typeof sendSpooled> {
    return sendSpooled(entry, this.to.token, this.to.server, this.codes);
  }
}
