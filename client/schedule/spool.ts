/**
 * The spool of `callprobe run --every`: every sample is written here first (a temp file, then
 * a rename, so a crash leaves either the whole entry or none) and removed only once the
 * server acknowledged it. Entries are sent in the order they were taken; the upload is
 * idempotent by sampleId, so an entry sent twice (a crash between the server's answer and the
 * removal) is stored once. An entry the server refuses for its token stays, and is sent once a
 * good token is given; only an entry refused as malformed (or unreadable here) is moved to
 * `refused/`, never deleted, with the reason beside it (`<entry>.reason`).
 */
import { link, mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isSampleId } from '../../src/protocol/values.js';
import { canonicalSite, SiteNameError } from '../../src/protocol/site-name.js';
import { TypedError } from '../../src/protocol/typed-error.js';

/** One spooled sample: where it goes and what is sent. */
export interface SpoolEntry {
  /** The format of this file. */
  v: 1;
  /** The server's origin (an entry is sent only to the server it was taken for). */
  server: string;
  sampleId: string;
  /** When the sample started (orders the spool). */
  startedAtMs: number;
  /** What is sent (POST /api/results, with the sampleId added): a report or a could-not-test record. */
  record: Record<string, unknown>;
}

export class SpoolError extends TypedError<'bad-entry' | 'exists'> {
  override readonly name = 'SpoolError';
}

/** What the uploader says about one entry. */
export type SendOutcome =
  | { kind: 'stored' }
  /** Try again later (no answer, 5xx, 429): the pass stops here so the order is kept. */
  | { kind: 'retry'; why: string }
  /** The server refused the token (401, 403): the entry waits for a good one; the pass stops. */
  | { kind: 'token'; why: string }
  /** The server refused it as malformed (400, 413, 415, 422): moved to refused/, its reason beside it. */
  | { kind: 'refused'; why: string };

export interface DrainResult {
  stored: string[];
  refused: { sampleId: string; why: string }[];
  /** Why the pass stopped before the end, or null. */
  stoppedBy: string | null;
  /** The pass stopped at its `max` only (the next pass may go on at once, or after the server's rate allows). */
  capped: boolean;
  /** The server's refusal of the token, when it stopped the pass (the entries wait for a good token), or null. */
  tokenRefused: string | null;
  /** Entries still waiting for this server. */
  left: number;
  /** Entries for other servers (left alone). */
  otherServers: number;
  /** Entries of other sites, when the pass was for one site (left alone: another site's token sends them). */
  otherSites: number;
}

const SUFFIX = '.json';

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}
const TMP_PREFIX = '.tmp-';
/** Beside an entry in refused/: why it was refused. */
const REASON_SUFFIX = '.reason';

/** The file name: start time (15 digits, sorts by time) and sampleId. */
function fileName(e: Pick<SpoolEntry, 'startedAtMs' | 'sampleId'>): string {
  return `${String(Math.max(0, Math.trunc(e.startedAtMs))).padStart(15, '0')}-${e.sampleId}${SUFFIX}`;
}

/** The key of the site an entry's sample is for (its record's meta.site), or null when it has none. */
function entrySiteKey(e: SpoolEntry): string | null {
  const site = (e.record['meta'] as { site?: unknown } | undefined)?.site;
  if (typeof site !== 'string') return null;
  try {
    return canonicalSite(site).key;
  } catch (err) {
    if (err instanceof SiteNameError) return site;
    throw err;
  }
}

function readEntry(text: string, file: string): SpoolEntry {
  let v: unknown;
  try {
    v = JSON.parse(text) as unknown;
  } catch (err) {
    throw new SpoolError('bad-entry', `${file}: not JSON (${(err as Error).message})`);
  }
  const e = v as Partial<SpoolEntry> | null;
  if (
    typeof e !== 'object' ||
    e === null ||
    e.v !== 1 ||
    typeof e.server !== 'string' ||
    !isSampleId(e.sampleId) ||
    typeof e.startedAtMs !== 'number' ||
    typeof e.record !== 'object' ||
    e.record === null ||
    Array.isArray(e.record)
  ) {
    throw new SpoolError('bad-entry', `${file}: not a spool entry of this version`);
  }
  return e as SpoolEntry;
}

export class Spool {
  constructor(readonly dir: string) {}

  /** Creates the folder (and refused/) if needed. */
  async open(): Promise<void> {
    await mkdir(join(this.dir, 'refused'), { recursive: true, mode: 0o700 });
  }

  /**
   * Writes one entry atomically: a temp file in the same folder, synced, then linked to its
   * name (which, unlike a rename, never replaces an entry already there) and unlinked.
   */
  async put(entry: SpoolEntry): Promise<void> {
    if (!isSampleId(entry.sampleId)) throw new SpoolError('bad-entry', `not a sampleId: ${JSON.stringify(entry.sampleId)}`);
    const name = fileName(entry);
    const tmp = join(this.dir, `${TMP_PREFIX}${name}`);
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(JSON.stringify(entry));
      await fh.datasync();
    } finally {
      await fh.close();
    }
    try {
      await link(tmp, join(this.dir, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new SpoolError('exists', `sample ${entry.sampleId} is already in the spool`);
      throw err;
    } finally {
      await rm(tmp);
    }
  }

  /** The waiting entries' file names, oldest first (temp files of an interrupted write are not entries). */
  async files(): Promise<string[]> {
    const names = await readdir(this.dir);
    return names.filter((n) => n.endsWith(SUFFIX) && !n.startsWith(TMP_PREFIX) && !n.startsWith('.')).sort();
  }

  async read(file: string): Promise<SpoolEntry> {
    return readEntry(await readFile(join(this.dir, file), 'utf8'), file);
  }

  /** Whether the entry of this sample is still waiting. */
  async has(entry: Pick<SpoolEntry, 'startedAtMs' | 'sampleId'>): Promise<boolean> {
    return (await this.files()).includes(fileName(entry));
  }

  /**
   * Sends the waiting entries of `server` (and of `siteKey`'s site when given: a token uploads
   * one site's samples), oldest first, at most `max`, each through `send`; removes what was
   * stored, moves what was refused as malformed to refused/ (its reason beside it), and stops at
   * the first "retry" or refused token so a later entry never overtakes an earlier one. An
   * unreadable entry is moved to refused/ too (with its reason), never deleted.
   */
  async drain(server: string, max: number, send: (entry: SpoolEntry) => Promise<SendOutcome>, siteKey?: string | null): Promise<DrainResult> {
    const out: DrainResult = { stored: [], refused: [], stoppedBy: null, capped: false, tokenRefused: null, left: 0, otherServers: 0, otherSites: 0 };
    const files = await this.files();
    let sent = 0;
    for (let i = 0; i < files.length; i++) {
      const file = files[i] ?? '';
      let entry: SpoolEntry;
      try {
        entry = await this.read(file);
      } catch (err) {
        // Sent and removed by another process sharing the folder since the listing.
        if (isMissing(err)) continue;
        if (!(err instanceof SpoolError)) throw err;
        await this.refuse(file, err.message);
        out.refused.push({ sampleId: file, why: err.message });
        continue;
      }
      if (entry.server !== server) {
        out.otherServers++;
        continue;
      }
      if (siteKey !== undefined && entrySiteKey(entry) !== siteKey) {
        out.otherSites++;
        continue;
      }
      if (out.stoppedBy !== null || sent >= max) {
        out.left++;
        if (out.stoppedBy === null) {
          out.stoppedBy = `at most ${max} a pass`;
          out.capped = true;
        }
        continue;
      }
      sent++;
      const r = await send(entry);
      if (r.kind === 'stored') {
        await rm(join(this.dir, file), { force: true });
        out.stored.push(entry.sampleId);
      } else if (r.kind === 'refused') {
        await this.refuse(file, r.why);
        out.refused.push({ sampleId: entry.sampleId, why: r.why });
      } else {
        out.stoppedBy = r.why;
        if (r.kind === 'token') out.tokenRefused = r.why;
        out.left++;
      }
    }
    return out;
  }

  /** Moves an entry to refused/, the reason beside it in `<entry>.reason` (written first: an entry there never lacks one). */
  private async refuse(file: string, why: string): Promise<void> {
    await writeFile(join(this.dir, 'refused', `${file}${REASON_SUFFIX}`), `${why}\n`, { mode: 0o600 });
    await rename(join(this.dir, file), join(this.dir, 'refused', file));
  }

  /**
   * Entries in refused/ without a reason beside them (refused by an older callprobe, which kept no
   * reason and parked a refused token's samples there too) moved back to wait in the spool; the
   * number moved. One the server refuses as malformed again returns with its reason.
   */
  async takeBackUnexplained(): Promise<number> {
    const dir = join(this.dir, 'refused');
    const names = await readdir(dir);
    let moved = 0;
    for (const n of names) {
      if (!n.endsWith(SUFFIX) || n.startsWith('.') || names.includes(`${n}${REASON_SUFFIX}`)) continue;
      try {
        await link(join(dir, n), join(this.dir, n));
      } catch (err) {
        // The same entry is waiting already.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      await rm(join(dir, n));
      moved++;
    }
    return moved;
  }

  /** The (server, site key) pairs the waiting entries are for, in the order first met. */
  async groups(): Promise<Array<{ server: string; siteKey: string | null }>> {
    const out = new Map<string, { server: string; siteKey: string | null }>();
    for (const f of await this.files()) {
      try {
        const e = await this.read(f);
        const g = { server: e.server, siteKey: entrySiteKey(e) };
        out.set(JSON.stringify(g), g);
      } catch (err) {
        // Unreadable: drain moves it to refused/ with its reason.
        if (!(err instanceof SpoolError) && !isMissing(err)) throw err;
      }
    }
    return [...out.values()];
  }
}
