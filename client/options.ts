/**
 * The client's configuration: `callprobe run`'s and `report`'s flags as the command line hands
 * them over (every value already parsed), the checks of the flags that only make sense
 * together, and the value grammars only the client reads (a server URL, a --since). The
 * grammars both programs read are in src/protocol/values.ts. Each throws ConfigError (a usage
 * error, exit 3).
 */
import { readFileSync } from 'node:fs';
import type { TurnServerEntry } from '../src/protocol/api.js';
import { BOUNDS, DEFAULTS } from '../src/protocol/defaults.js';
import { parseReachabilityList, type ReachabilityTarget } from '../src/protocol/reachability.js';
import { ConfigError } from '../src/protocol/config-error.js';
import { parseSinceSpan } from '../src/protocol/values.js';
import { canonicalSite, SiteNameError } from '../src/protocol/site-name.js';
import { csvSeparatorNamed, type CsvSeparator } from '../src/analysis/report/export.js';
import { LANGS, pickLang, type Lang } from '../src/protocol/lang.js';

/** `callprobe run`'s flags as commander parses them (cli.ts; --turn already an RFC 7065 entry). */
export interface RunCommandOptions {
  server?: string;
  duration?: number;
  profile: 'client-to-edge' | 'edge-to-edge' | 'azure-region';
  azureRegion?: string;
  from: 'site' | 'edge';
  turn?: TurnServerEntry;
  turnUser?: string;
  /** --turn-credential or CALLPROBE_TURN_CREDENTIAL. */
  turnCredential?: string;
  /** --turn-credential-file, already read (its first line). */
  turnCredentialFile?: string;
  /** --relay, e.g. "udp:3479", "tcp" (parseRelayPick checked its form). */
  relay?: string;
  compare: boolean;
  compareSeconds?: number;
  json: boolean;
  browser: string;
  /** false with --no-save. */
  save: boolean;
  site?: string;
  ticket?: string;
  adminToken?: string;
  /** --token (CALLPROBE_TOKEN): the same operator token under the name; checkRunFlags folds it into adminToken. */
  token?: string;
  /** Print the export's CSV header and row instead of the summary. */
  csv: boolean;
  /** --csv-sep: the CSV's field separator (default a comma). */
  csvSep?: CsvSeparator;
  /** --lang: the summary's language (and, with --csv, its decimal mark); English without it. */
  lang?: Lang;
  /** --load: the busy-line phase after the idle window. */
  load: boolean;
  /** --video: after the probes, video through the relay each way (the video phase). */
  video?: boolean;
  /** --devices: check the microphone, speaker and camera first (the browser's fake devices; never a schedule's). */
  devices?: boolean;
  /** --network: after the test, read the network the user is on (the connection the browser names, a split path). */
  network?: boolean;
  /**
   * --qos: count the QoS marks the server's answers arrive with (an nftables counter in this
   * machine's namespace, set up and removed around the test: root on Linux), for the report's
   * `qos.downstream`; never changes the verdict.
   */
  qos?: boolean;
  /** --teams-reachability FILE: the media relays to try on their ports before the test, as the file lists them. */
  teamsReachability?: ReachabilityTarget[];
  /** --evidence: a file to write the evidence the report was graded from (every probe, the views outside the page). */
  evidence?: string;
}

/** Checks the flags that only make sense together; throws ConfigError (a usage error). */
export function checkRunFlags(o: RunCommandOptions): RunCommandOptions {
  if (o.token !== undefined) {
    if (o.adminToken !== undefined && o.adminToken !== o.token)
      throw new ConfigError('bad-value', '--token and --admin-token (or CALLPROBE_TOKEN and CALLPROBE_ADMIN_TOKEN) differ: give one');
    o = { ...o, adminToken: o.token };
  }
  if (o.turnCredentialFile !== undefined) {
    if (o.turnCredential !== undefined)
      throw new ConfigError('bad-value', 'give --turn-credential (or CALLPROBE_TURN_CREDENTIAL) or --turn-credential-file, not both');
    o = { ...o, turnCredential: o.turnCredentialFile };
  }
  if (o.profile === 'azure-region' && !o.azureRegion) throw new ConfigError('missing-option', '--profile azure-region needs --azure-region');
  if (!o.server && !o.turn) throw new ConfigError('missing-option', 'give --server URL (or --turn URI for a TURN server without callprobe)');
  if (o.turn && (!o.turnUser || !o.turnCredential)) throw new ConfigError('missing-option', '--turn needs --turn-user and --turn-credential');
  if (o.compareSeconds !== undefined && !o.compare) throw new ConfigError('missing-option', '--compare-seconds needs --compare');
  if (o.load && o.turn)
    throw new ConfigError('bad-value', "--load needs a callprobe server (--server): a TURN server that is not callprobe's has no load sink or source");
  if (o.video === true && o.turn)
    throw new ConfigError(
      'bad-value',
      "--video needs a callprobe server (--server): a TURN server that is not callprobe's has no reflector to send video back",
    );
  if (o.server !== undefined) {
    const url = URL.canParse(o.server) ? new URL(o.server) : null;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new ConfigError('bad-value', `--server must be an http:// or https:// URL, not ${JSON.stringify(o.server)}`);
    }
  }
  if (o.json && o.csv) throw new ConfigError('bad-value', '--json and --csv both want stdout: give one');
  if (o.csvSep !== undefined && !o.csv) throw new ConfigError('missing-option', '--csv-sep needs --csv');
  if (o.ticket !== undefined && (o.ticket.trim().length === 0 || o.ticket.length > BOUNDS.siteChars))
    throw new ConfigError('bad-value', `--ticket must be 1..${BOUNDS.siteChars} characters`);
  if (o.site !== undefined) o = { ...o, site: parseSiteName(o.site) };
  if (o.site !== undefined && o.save && !o.adminToken) {
    throw new ConfigError(
      'missing-option',
      "--site needs the site's upload-only token (callprobe site-token create) or the operator token, in --token or CALLPROBE_TOKEN (--admin-token and CALLPROBE_ADMIN_TOKEN work too): the server files a result under a site only with one; or --no-save",
    );
  }
  return o;
}

/** The scheduling flags of run as commander parses them (durations and times already in ms). */
export interface ScheduleFlags {
  /** --every, ms. */
  every?: number;
  count?: number;
  /** --for, ms. */
  for?: number;
  /** --until, ms since the epoch. */
  until?: number;
  spool: string;
}

/** The schedule of `run --every`, resolved. */
export interface ScheduleOptions {
  everyMs: number;
  /** --count (samples of this run), or null. */
  count: number | null;
  /** --for, or null. */
  forMs: number | null;
  /** --until, or null (with neither --for nor --until: until stopped). */
  untilMs: number | null;
  spoolDir: string;
  /** Each sample's test length: --duration, else DEFAULTS.schedule.sampleDurationS. */
  sampleDurationS: number;
}

/** The schedule of `run --every`, or null for one test; throws ConfigError for flags that do not go together. */
export function checkScheduleFlags(o: RunCommandOptions, f: ScheduleFlags): ScheduleOptions | null {
  if (f.every === undefined) {
    if (f.count !== undefined || f.for !== undefined || f.until !== undefined)
      throw new ConfigError('missing-option', '--count, --for and --until need --every');
    return null;
  }
  if (f.count !== undefined && f.for !== undefined) throw new ConfigError('bad-value', 'give --count or --for, not both');
  if (f.for !== undefined && f.until !== undefined)
    throw new ConfigError('bad-value', 'give --for or --until, not both (--until is the end, --for the length)');
  if (!o.server || o.turn)
    throw new ConfigError('missing-option', '--every needs --server (the callprobe server that tests and stores the samples), not --turn');
  if (o.site === undefined) throw new ConfigError('missing-option', "--every needs --site NAME: the samples are stored as that site's");
  if (!o.save) throw new ConfigError('bad-value', '--every stores every sample: --no-save does not go with it');
  if (o.json || o.csv) throw new ConfigError('bad-value', '--every prints one JSON line per sample on stdout: --json and --csv do not go with it');
  if (o.teamsReachability !== undefined)
    throw new ConfigError('bad-value', '--every samples the network to the callprobe server: --teams-reachability is for one test');
  if (o.devices === true) throw new ConfigError('bad-value', '--every never checks devices (a schedule samples the network): --devices is for one test');
  return {
    everyMs: f.every,
    count: f.count ?? null,
    forMs: f.for ?? null,
    untilMs: f.until ?? null,
    spoolDir: f.spool,
    sampleDurationS: o.duration ?? DEFAULTS.schedule.sampleDurationS,
  };
}

/** `callprobe report`'s flags as the command line hands them over. */
export interface ReportCommandOptions {
  server: string;
  /** One site's report; without it, `all` asks for the all-sites overview. */
  site?: string;
  all?: boolean;
  /** As the API takes it: a span (7d) or an ISO 8601 time; undefined: the API's default (a week). */
  since?: string;
  profile?: 'client-to-edge' | 'edge-to-edge' | 'azure-region';
  azureRegion?: string;
  from?: 'site' | 'edge';
  path?: 'rtp' | 'datachannel';
  tz?: string;
  json: boolean;
  csv: boolean;
  /** --csv-sep: the CSV's field separator (default a comma). */
  csvSep?: CsvSeparator;
  /** --token or CALLPROBE_TOKEN. */
  token?: string;
}

/** --server: an http(s) URL, kept as written. */
export function parseServerUrl(v: string): string {
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError('bad-value', `not a URL: "${v}" (e.g. http://127.0.0.1:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('bad-value', `not an http(s) URL: "${v}"`);
  return v;
}

/** --since: a span back from now (7d, 36h) or an ISO 8601 time or date, checked here, sent as given. */
export function parseSince(v: string): string {
  if (/^\s*\d+\s*[dhm]\s*$/.test(v)) {
    parseSinceSpan(v);
    return v.replace(/\s+/g, '');
  }
  if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(v) && Number.isFinite(Date.parse(v))) return v;
  throw new ConfigError('bad-value', `--since must be a span like 7d, 36h or 90m, or an ISO 8601 time such as 2026-01-31 or 2026-01-31T08:00:00Z, not "${v}"`);
}

/**
 * --site (run, report, site-token): any spelling of the site's name, in its canonical form
 * (src/protocol/site-name.ts: trimmed, single spaces; the server matches it case-folded), or a
 * usage error saying why it cannot be a name.
 */
export function parseSiteName(v: string): string {
  try {
    return canonicalSite(v).display;
  } catch (err) {
    if (err instanceof SiteNameError) throw new ConfigError('bad-value', `--site: ${err.message}`);
    throw err;
  }
}

/** --csv-sep: `comma` or `semicolon` (for spreadsheets whose list separator is ;). */
export function parseCsvSep(v: string): CsvSeparator {
  const sep = csvSeparatorNamed(v);
  if (sep === null) throw new ConfigError('bad-value', `--csv-sep is comma or semicolon, not "${v}"`);
  return sep;
}

/** --lang: a language callprobe ships (a regional tag such as de-AT picks its language). */
export function parseLang(v: string): Lang {
  const lang = pickLang([v]);
  if (lang === null) throw new ConfigError('bad-value', `--lang is one of ${LANGS.join(', ')}, not "${v}"`);
  return lang;
}

/** --relay: `udp`, `tcp` or `tls`, optionally with a port (`udp:3479`), as the page's ?turn= takes it. */
export function parseRelayPick(v: string): string {
  const m = /^(udp|tcp|tls)(?::(\d{1,5}))?$/.exec(v);
  const port = m?.[2] === undefined ? null : Number(m[2]);
  if (!m || (port !== null && (port < 1 || port > 65_535))) {
    throw new ConfigError('bad-value', `--relay must be udp, tcp or tls, optionally with a port 1..65535 (udp:3479, tls:443), not "${v}"`);
  }
  return v;
}

/**
 * Whether the server offers the relay --relay names; throws ConfigError (a usage error, exit 3)
 * naming what it offers, so a test it cannot run never starts a browser.
 */
export function checkRelayOffered(relay: string, offered: readonly Pick<TurnServerEntry, 'transport' | 'port'>[]): void {
  const [transport, portText] = relay.split(':');
  const fits = offered.some((e) => e.transport === transport && (portText === undefined || e.port === Number(portText)));
  if (fits) return;
  const list = offered.map((e) => `${e.transport}:${String(e.port)}`).join(', ');
  throw new ConfigError('bad-value', `--relay ${relay}: the server does not offer it (it offers ${list === '' ? 'no relay' : list})`);
}

/** A secret from a file (--turn-credential-file): its first line, kept out of the process list. */
/** A --teams-reachability list (src/protocol/reachability.ts), read from its file; a usage error names the file and line. */
export function readReachabilityFile(path: string): ReachabilityTarget[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('bad-file', `--teams-reachability ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseReachabilityList(text, path);
}

export function readSecretFile(path: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('bad-value', `${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const first = text.split(/\r?\n/)[0] ?? '';
  if (first.length === 0) throw new ConfigError('bad-value', `${flag} ${path}: the file is empty`);
  return first;
}
