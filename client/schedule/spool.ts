/**
 * The spool of `callprobe run --every`: every sample is written here first (a temp file, then
 * a rename, so a crash leaves either the whole entry or none) and removed only once the
 * server acknowledged it. Entries are sent in the order they were taken; the upload is
 * idempotent by sampleId, so an entry sent twice (a crash between the server's answer and the
 * removal) is stored once. An entry the server refuses is moved to `refused/`, never deleted.
 */
import { link, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isSampleId } from '../../src/protocol/values.js';
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
  /** The server refused it for good (4xx): moved to refused/. */
  | { kind: 'refused'; why: string };

export interface DrainResult {
  stored: string[];
  refused: { sampleId: string; why: string }[];
  /** Why the pass stopped before the end, or null. */
  stoppedBy: string | null;
  /** Entries still waiting for this server. */
  left: number;
  /** Entries for other servers (left alone). */
  otherServers: number;
}

const SUFFIX = '.json';

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}
const TMP_PREFIX = '.tmp-';

/** The file name: start time (15 digits, sorts by time) and sampleId. */
function fileName(e: Pick<SpoolEntry, 'startedAtMs' | 'sampleId'>): string {
  return `${String(Math.max(0, Math.trunc(e.startedAtMs))).padStart(15, '0')}-${e.sampleId}${SUFFIX}`;
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
   * Sends the waiting entries of `server`, oldest first, at most `max`, each through `send`;
   * removes what was stored, moves what was refused to refused/, and stops at the first
   * "retry" so a later entry never overtakes an earlier one. An unreadable entry is moved to
   * refused/ too (with its reason), never deleted.
   */
  async drain(server: string, max: number, send: (entry: SpoolEntry) => Promise<SendOutcome>): Promise<DrainResult> {
    const out: DrainResult = { stored: [], refused: [], stoppedBy: null, left: 0, otherServers: 0 };
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
        await rename(join(this.dir, file), join(this.dir, 'refused', file));
        out.refused.push({ sampleId: file, why: err.message });
        continue;
      }
      if (entry.server !== server) {
        out.otherServers++;
        continue;
      }
      if (out.stoppedBy !== null || sent >= max) {
        out.left++;
        if (out.stoppedBy === null) out.stoppedBy = `at most ${max} a pass`;
        continue;
      }
      sent++;
      const r = await send(entry);
      if (r.kind === 'stored') {
        await rm(join(this.dir, file), { force: true });
        out.stored.push(entry.sampleId);
      } else if (r.kind === 'refused') {
        await rename(join(this.dir, file), join(this.dir, 'refused', file));
        out.refused.push({ sampleId: entry.sampleId, why: r.why });
      } else {
        out.stoppedBy = r.why;
        out.left++;
      }
    }
    return out;
  }
}
