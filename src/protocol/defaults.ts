/**
 * Every default and bound of callprobe in one place (like irtt's defaults.go): the page, the
 * CLI, the server, the reflector and the relay read them from here. Also the parsers of the
 * flag and URI values that check them, and their typed error. Pure: neither DOM nor Node.
 */
import type { TurnServerEntry } from './api.js';

/** Defaults, grouped by who uses them; every number says where it comes from. */
export const DEFAULTS = {
  // ---- The test: page URL parameters, the form, `callprobe run` --------------------------
  /** 15 s fills exactly one 15 s window, the shortest interval the Teams targets grade (seed 000). */
  testDurationS: 15,
  /** Compare mode: the short stream on each reachable rung. */
  compareSecondsPerRung: 5,
  /** 160 bytes: one 20 ms G.711 audio frame, so every probe is the size of a voice packet. */
  payloadBytes: 160,
  /** The RTP probe path (issue 13, src/protocol/rtp-probe.ts). */
  rtp: {
    /** Every probe and echo frame is this long (a 20 ms G.711 frame's size, like the data-channel probes), unless its Opus frame needs more. */
    frameBytes: 160,
    /** `a=ptime:10` in the RTP reflector's answer: Chromium then sends 100 frames/s (platform-lab notes); Opus' shortest common frame. */
    ptimeMs: 10,
    /** Echo frames carry the records of this many earlier probes, so up to this many lost echoes in a row lose no upstream evidence. */
    recentRecords: 4,
    /** The data-channel probe stream beside the RTP one, as round-trip cross-check: 5 probes/s of 160 B barely load the path (100/s ride RTP). */
    crossCheckRatePps: 5,
    /** The RTP transform worker posts what it stamped and the echoes it read in batches this often, never per frame. */
    workerBatchMs: 100,
    /** Probe slots kept per second of test: twice the 100 frames/s `ptimeMs` gives, so a faster sender still fits (frames beyond are not stamped). */
    maxFramesPerS: 200,
    /** How long the RTP leg may take to connect after the data-channel leg is up before the test falls back to the data channel. */
    connectGraceMs: 5000,
  },

  // ---- The session's timeouts (src/session) ------------------------------------------------
  /** Signaling, ICE through the relay, DTLS, SCTP: 0.31 s on loopback (docs/benchmarks.md); room for slow paths. */
  connectTimeoutMs: 15_000,
  /** All ports are checked at once in 0.11 s on loopback (docs/benchmarks.md); 4 s ends a silently dropped port. */
  portCheckTimeoutMs: 4_000,
  /** GET /api/tls-check looks this far back: Chromium's certificate alert comes 0.13 s into a port check of at most 4 s. */
  tlsRefusalWindowMs: 60_000,
  /** NAT classification: STUN Binding to two relay ports answers in one round trip; 3 s covers retransmits and stays under the port checks. */
  natGatherTimeoutMs: 3_000,
  /** After "stop": the reflector's last receipts take one round trip; 5 s bounds a lost reply. */
  finalTallyTimeoutMs: 5_000,
  /** After a sign the server went away (signaling closed, peer connection failed), this much silence ends the stream. */
  silenceAfterLossMs: 2_000,
  /**
   * Probes are sent for this much longer than the test's duration, so its one full window stays
   * evaluable when the first probes leave late (a page busy loading its chart as the test starts
   * delayed them 20-50 ms under load, and a window needs a span of its length minus one interval).
   */
  sendMarginMs: 100,
  /** `callprobe run` asks GET /api/config before starting a browser: this bounds the wait. */
  serverCheckTimeoutMs: 5_000,

  // ---- The page saving its result (POST /api/results, issue 10) -----------------------------
  /** 4 tries 0.5 s, 1 s, 2 s apart (3.5 s in all) ride out a server restart or a proxy's brief 502. */
  resultSaveAttempts: 4,
  /** The wait before the first retry, doubled before each further one. */
  resultSaveBackoffMs: 500,
  /** One POST of a report (20-60 KiB) answers in milliseconds on loopback; 10 s bounds a stalled one. */
  resultSaveTimeoutMs: 10_000,

  // ---- callprobe serve ---------------------------------------------------------------------
  host: '127.0.0.1',
  httpPort: 8080,
  /** Teams/ACS media ports (seed 004): UDP 3478-3481. TURN over TCP listens on the first. */
  turnUdpPorts: [3478, 3479, 3480, 3481] as number[],
  /** RFC 8656 §7.2 suggests the dynamic range of RFC 6335 §6 for relayed addresses: 49152-65535. */
  relayPortRange: { min: 49152, max: 65535 },
  /** TURN REST credential lifetime: one page load mints one; an hour covers a tab left open. */
  credentialTtlS: 3600,
  realm: 'callprobe',
  /** The reflector stops a session that outlives this (a 10-minute test plus margin). */
  maxSessionMs: 12 * 60_000,
  /** Reflector sessions at once; the server used < 20 % of a core at 12 tests (docs/benchmarks.md, load). */
  maxSessions: 50,
  logLevel: 'info',
  /**
   * Relay limits (RFC 8656 §7.2: 486 Allocation Quota Reached, 508 Insufficient Capacity).
   * One page test opens one allocation per offered entry to check the ports (4 UDP + TCP,
   * plus TLS when configured: 5-6) and then 1 (reflector mode) or 2 (loopback mode) for the
   * test itself: at most 8 at once, all under the test's one credential.
   */
  relayQuotas: {
    /** One credential = one page test: 8 allocations at most, 10 leaves room for a retry. */
    maxAllocationsPerUsername: 10,
    /** An office behind one NAT: 256 / 8 per test = 32 simultaneous page tests from one address. */
    maxAllocationsPerSourceIp: 256,
    /** The whole relay: ~125 simultaneous tests, beyond the reflector's maxSessions anyway. */
    maxAllocationsTotal: 1000,
    /** 4 MB/s = 32 Mbit/s per direction: far above any probe stream (<= ~2 Mbit/s), small enough that one allocation cannot flood the host. */
    maxBandwidthBytesPerS: 4_000_000,
    /** Token-bucket depth for the rate above: 100 ms of it. */
    bandwidthBurstBytes: 400_000,
    /** A probe page talks to one reflector or one other relayed address; 64 leaves room for ICE (RFC 8656 §9.2). */
    maxPermissionsPerAllocation: 64,
    /** Channel bindings per allocation (RFC 8656 §12.2); same reasoning as permissions. */
    maxChannelsPerAllocation: 64,
  },
  /**
   * What the relay holds for TURN/TCP and TLS clients that do not read (issue 14, finding 6):
   * queued frames are coalesced into chunks and counted by the memory they take, plus the write
   * in flight. Beyond either bound frames are dropped (UDP semantics: it is media) and counted
   * in /metrics (callprobe_turn_dropped_total, reason stream-backlog / stream-backlog-total).
   */
  relayStreamBacklog: {
    /** One connection: a second of a 2 Mbit/s probe stream; older media is worth less than none. */
    maxBytesPerConnection: 256 * 1024,
    /** Every stream connection of the relay together: 128 stalled connections' worth. */
    maxBytesTotal: 32 * 1024 * 1024,
  },
  /**
   * The relay as a witness of relayed RTP (server/turn/witness): headers read in clear inside
   * ChannelData and Send/Data indications (RFC 7983 demux), never the encrypted payload.
   */
  relayWitness: {
    /** RTP streams (SSRC x direction) tracked per allocation: a probe test has 1 up + 1 down; 8 leaves room for RTCP-muxed extras and a renegotiation. */
    maxStreamsPerAllocation: 8,
    /** Sequence numbers remembered per stream to tell duplicates and pair IPDV: 256 = 2.56 s at 100 packets/s, ~5.4 KB per stream (21 bytes a slot). */
    windowPackets: 256,
    /** A deleted allocation's witness stays readable this long, so the reflector can read it at test end. */
    graceMs: 60_000,
    /** RTP clock of the probe stream: Opus is 48 kHz on the wire whatever the sampling rate (RFC 7587 §4.1). */
    clockRateHz: 48_000,
  },

  // ---- The results store (issue 10) ----------------------------------------------------------
  results: {
    /** The embedded store (SQLite), created on first start, relative to the working directory. */
    dbPath: './data/callprobe.db',
    /** Address-free reports: a year covers a help-desk case and a site's yearly comparison. */
    retainDays: 365,
    /** Client addresses (personal data under the GDPR): four weeks cover a ticket's triage. */
    retainIpDays: 28,
    /** A v2 report is ~19 KB compact, ~26 KB as `run --json` prints it, whatever the duration (15 s and 10 min fixtures measured): 256 KiB is 10x room. */
    bodyLimitBytes: 256 * 1024,
    /** One page test saves once; 30 a minute per address (/64 for IPv6) is an office behind one NAT retrying. */
    postsPerMinutePerIp: 30,
    /** Reads of shared results (/r/:code, /api/r/:code) per minute per address: a person opens a few; bounds guessing 2^40 codes. */
    readsPerMinutePerIp: 120,
    /** Retention purge: at start and then hourly. */
    purgeIntervalMs: 3_600_000,
    /** Truncated client addresses kept beside the full one: IPv4 /24, IPv6 /48 (the site, not the person). */
    truncateIpv4Bits: 24,
    truncateIpv6Bits: 48,
  },
  /**
   * Signalling limits (/api/signal; issue 14). The page sends its offer right after the
   * WebSocket opens, then trickles a handful of candidates (relay-only: one per TURN entry).
   */
  signalling: {
    /** A session with no offer this long after the WebSocket opened is closed (the page offers within ~0.3 s on loopback). */
    offerTimeoutMs: 5_000,
    /** A session whose offer came but whose data channel has not opened this long after it is closed (the page gives up at connectTimeoutMs). */
    connectTimeoutMs: 20_000,
    /** Candidates one session may signal (after its offer): a relay-only page trickles < 10. */
    maxCandidatesPerSession: 32,
    /** Signalling sessions open at once from one source (IPv4 address or IPv6 /64): an office behind one NAT running 16 tests. */
    maxSessionsPerSource: 16,
    /** New signalling sessions per minute from one source: 16 offices' tests plus retries. */
    newSessionsPerMinutePerSource: 60,
    /** Messages per second one session may send (token bucket; a page sends ~10 in its first second). */
    messagesPerSecond: 20,
    /** Token-bucket depth for the rate above: an offer and every allowed candidate at once. */
    messageBurst: 64,
    /** Log lines per second about refused signalling from one source (the rest only counted in metrics). */
    logLinesPerSecondPerSource: 1,
    /** /api/config answers per minute from one source (one per page test; an office of 60 tests a minute). */
    configPerMinutePerSource: 60,
  },
  /**
   * Site reports over many stored samples (issue 12; src/analysis/site). Microsoft's method
   * (seed 000, "Measuring network performance"): a test every 10 minutes for a week, then the
   * 90th percentile against the targets.
   */
  console: {
    /** A help desk session ends after this long without a request (OWASP session management: 15-30 min for low-risk apps). */
    sessionIdleMs: 30 * 60_000,
    /** ...and this long after login whatever the activity: one working day. */
    sessionAbsoluteMs: 8 * 3_600_000,
    /** Login attempts per minute per address (IPv4, IPv6 /64): an office behind one NAT mistyping, not a guessing run. */
    loginsPerMinutePerAddress: 20,
    /** Login attempts per minute per user name, from anywhere: bounds guessing one account's password. */
    loginsPerMinutePerUser: 5,
    /** Password checks running at once, whoever asks (each is ~32 MiB and ~0.1 s of scrypt): more get 503, so many addresses cannot pin the CPU and memory. */
    maxLoginsInFlight: 4,
    /** The baseline a result is shown beside: the site's samples over this span before the result... */
    baselineSpanMs: 7 * 86_400_000,
    /** ...started within this many hours of the result's hour of day (in the agent's time zone). */
    baselineHourBand: 2,
    /** One search answers at most this many results, newest first. */
    searchMaxRows: 100,
    /** scrypt cost of hash-password (RFC 7914 §2; N=2^15, r=8, p=1 is OWASP's minimum for scrypt): ~32 MiB, ~0.1 s. */
    scrypt: { N: 32_768, r: 8, p: 1, keyBytes: 32, saltBytes: 16 },
  },
  siteReport: {
    /** `report --since` and ?since= when not given: the week Microsoft's method asks for. */
    sinceMs: 7 * 86_400_000,
    /** Worst hours are weekday x hour cells in this IANA time zone unless one is given. */
    timeZone: 'UTC',
    /** Two-sided level of the distribution-free (order-statistic) interval of a site P90. */
    p90ConfidenceLevel: 0.95,
    /**
     * Fewest graded samples a site P90 is graded from: the smallest n whose equal-tailed 95 %
     * order-statistic interval of the 90th percentile (binomial, each tail <= 2.5 %) has an
     * upper end below the largest sample, so one outlier alone cannot bound it. Computed by
     * p90MinSamples() in src/analysis/site/order-statistics.ts; a test checks this number.
     */
    p90MinSamples: 54,
    /** Worst weekday x hour cells listed (the page shows all 168). */
    worstHours: 5,
    /** `callprobe report`: one GET of a site report; a year of samples reads and grades in well under this. */
    fetchTimeoutMs: 60_000,
    /**
     * The all-sites overview on PostgreSQL runs as this many queries at once, each over a range
     * of sites (its cost is sorting every metric's values per site: CPU, spread over the cores;
     * npm run bench:report, docs/benchmarks.md). At most the store's pool size (8).
     */
    overviewQueryChunks: 4,
  },
  /** Clock skew allowed on a TURN credential's expiry beyond --credential-ttl before the relay refuses it. */
  credentialSkewS: 300,

  // ---- Site alerts (serve --alerts FILE; issue 12) --------------------------------------------
  alerts: {
    /** Samples a rule's P90 is taken over: the fewest a site report grades a P90 from (siteReport.p90MinSamples; nine hours of 10-minute samples). */
    samples: 54,
    /** Breaching evaluations in a row before an alert is raised, passing ones before it clears. */
    raiseAfter: 3,
    clearAfter: 3,
    /** One webhook POST may take this long before it is abandoned (and logged). */
    webhookTimeoutMs: 5_000,
    /** Webhook posts in flight at once; events beyond are dropped and logged (a stuck receiver costs nothing else). */
    maxInFlight: 16,
  },

  // ---- callprobe run -----------------------------------------------------------------------
  /** Debian's chromium package. */
  browserPath: '/usr/bin/chromium',

  // ---- callprobe run --every (scheduled samples of a site, issue 12) -----------------------
  schedule: {
    /** Samples not yet stored on the server wait here, relative to the working directory (beside the store's ./data/). */
    spoolDir: './data/spool',
    /** Spooled samples sent per pass (one pass after each sample): under the server's 30 POSTs a minute per address. */
    spoolUploadsPerPass: 20,
    /** Chromium launches tried before a sample is recorded as could-not-test (browser-failed). */
    browserLaunchTries: 2,
  },
} as const;

/** Bounds every parser and the page's form check against. */
export const BOUNDS = {
  /** 1 s is the shortest useful test; 600 s = 10 minutes, what maxSessionMs allows for. */
  testDurationS: { min: 1, max: 600 },
  compareSecondsPerRung: { min: 2, max: 30 },
  /** Largest probe: a data-channel message of 1200 bytes stays under the 1280-byte IPv6 minimum MTU (RFC 8200 §5) with its headers. */
  payloadBytesMax: 1200,
  /** A listening or relay port (RFC 6335 §6: 16 bits; 0 is "any", never a port to hand out). */
  port: { min: 1, max: 65535 },
  /** A port to listen on (--http-port): 0 lets the OS choose (tests). */
  listenPort: { min: 0, max: 65535 },
  /** --credential-ttl: a minute at least (a test must fit), a week at most. */
  credentialTtlS: { min: 60, max: 7 * 86_400 },
  /** A port list never opens more than 65 listeners (3478-3542). */
  portListMaxPorts: 65,
  /** One RFC 8839 §5.1 candidate line: ~100-200 bytes in practice (an IPv6 relay candidate with extensions < 300); 1 KiB refuses junk. */
  signalCandidateBytesMax: 1024,
  /** An offer's SDP (two data channels, a few candidates: ~1-2 KiB in practice). */
  signalSdpBytesMax: 32 * 1024,
  /** One signalling WebSocket message: an offer of signalSdpBytesMax plus its JSON envelope. */
  signalMessageBytesMax: 36 * 1024,
  /** Per-source signalling and /api/config limit flags: 1 at least, a million at most. */
  perSourceLimit: { min: 1, max: 1_000_000 },
  /** Relay quota flags: 1 allocation at least, a million at most (each is a socket). */
  allocations: { min: 1, max: 1_000_000 },
  /** --retain-days: a day at least, ten years at most. */
  retainDays: { min: 1, max: 3650 },
  /** --retain-ip-days: a day at least, a year at most (addresses are personal data). */
  retainIpDays: { min: 1, max: 365 },
  /** A client-made sampleId (idempotent upload): 8..64 of [A-Za-z0-9._-] (a UUID is 36). */
  sampleIdChars: { min: 8, max: 64 },
  /** meta.site and meta.ticket (page ?site= ?ticket=, run --site --ticket, POST), as the report schema bounds them. */
  siteChars: 128,
  /** One export answers at most this many rows (use ?since= to page). */
  exportMaxRows: 100_000,
  /** `report --since` / ?since=: an hour at least, the longest retention (--retain-days max) at most. */
  siteReportSinceMs: { min: 3_600_000, max: 3650 * 86_400_000 },
  /**
   * Samples one site report reads: ten weeks of 10-minute samples (a week is 1,008). The query
   * returns the report bodies (~19 KB each), so this bounds one request to ~190 MB of text.
   */
  siteReportMaxSamples: 10_080,
  /** An IANA time zone name (tz database names are < 40 characters). */
  timeZoneChars: 64,
  /** --admin-token: 16 characters at least, so a guessable token is refused. */
  adminTokenChars: { min: 16, max: 256 },
  /** --users: how many help desk accounts one file holds. */
  consoleUsersMax: 1000,
  /** A help desk user name: 1..64 of [A-Za-z0-9._@-]. */
  userNameChars: { min: 1, max: 64 },
  /** A password: 8 characters at least (NIST SP 800-63B §5.1.1.2), 256 at most (bounds scrypt's input from anonymous callers). */
  passwordChars: { min: 8, max: 256 },
  /** scrypt cost parameters a users file may carry: N a power of two 2^14..2^20, r 1..32, p 1..16 (bounds one login's memory and time). */
  scryptN: { min: 16_384, max: 1_048_576 },
  scryptR: { min: 1, max: 32 },
  scryptP: { min: 1, max: 16 },
  /** Sessions kept at once (oldest dropped first): bounds memory whatever logins arrive. */
  consoleSessionsMax: 10_000,
  /** run --every: 5 s at least (a 3 s test and its browser fit), a week at most (Microsoft assesses a site every 10 minutes). */
  scheduleEveryMs: { min: 5_000, max: 7 * 86_400_000 },
  /** run --for: a second at least, a year at most (366 days). */
  scheduleForMs: { min: 1_000, max: 366 * 86_400_000 },
  /** run --count: one sample at least; a million is 19 years of 10-minute samples. */
  scheduleCount: { min: 1, max: 1_000_000 },
} as const;

/** RFC 7065 §3: default ports of turn: and turns: URIs (RFC 8656 §3). */
export const TURN_DEFAULT_PORT = { turn: 3478, turns: 5349 } as const;

/** Why a value was refused. */
export type ConfigErrorReason = 'bad-value' | 'bad-port' | 'bad-port-range' | 'bad-turn-uri' | 'missing-option' | 'bad-file' | 'cannot-listen' | 'bad-db';

/** A flag, URI or file the user gave cannot be used: a usage error (exit 3), one line. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly reason: ConfigErrorReason = 'bad-value',
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses a decimal integer within [min, max]; `what` names it in the error (e.g. "--http-port"). */
export function parseIntInRange(text: string, what: string, bounds: { readonly min: number; readonly max: number }): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < bounds.min || n > bounds.max) {
    throw new ConfigError(`${what} must be an integer ${bounds.min}..${bounds.max}, not "${text}"`, 'bad-value');
  }
  return n;
}

/** Parses "3478-3481" or "3478,3480" or "3478" into a list of ports (0 allowed: "any", for tests). */
export function parsePortList(text: string): number[] {
  const ports: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m) throw new ConfigError(`not a port or port range: "${part}"`, 'bad-port');
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 0 || hi > BOUNDS.port.max || hi < lo) throw new ConfigError(`bad port range: "${part}"`, 'bad-port-range');
    if (hi - lo >= BOUNDS.portListMaxPorts) throw new ConfigError(`port range too long (max ${BOUNDS.portListMaxPorts} ports): "${part}"`, 'bad-port-range');
    for (let p = lo; p <= hi; p++) ports.push(p);
  }
  if (ports.length === 0) throw new ConfigError('empty port list', 'bad-port');
  return ports;
}

/** Parses a relay port range "MIN-MAX" (e.g. 49152-65535): both 1..65535, MIN <= MAX. */
export function parseRelayPortRange(text: string, what = '--relay-ports'): { min: number; max: number } {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  if (!m) throw new ConfigError(`${what} must look like ${DEFAULTS.relayPortRange.min}-${DEFAULTS.relayPortRange.max}, not "${text}"`, 'bad-port-range');
  const min = Number(m[1]);
  const max = Number(m[2]);
  if (min < BOUNDS.port.min || max > BOUNDS.port.max) {
    throw new ConfigError(`${what} ${text}: ports must be ${BOUNDS.port.min}..${BOUNDS.port.max}`, 'bad-port-range');
  }
  if (min > max) throw new ConfigError(`${what} ${text}: the first port is above the last`, 'bad-port-range');
  return { min, max };
}

/** Parses `--advertise HOST[:PORTS]`; IPv6 hosts in brackets: `[::1]:3478-3481`. */
export function parseAdvertise(text: string): { host: string; udpPorts: number[] | null } {
  const v6 = /^\[([^\]]+)\](?::(.+))?$/.exec(text);
  if (v6) return { host: v6[1] ?? '', udpPorts: v6[2] ? parsePortList(v6[2]) : null };
  const idx = text.lastIndexOf(':');
  if (idx > 0 && text.indexOf(':') === idx) {
    return { host: text.slice(0, idx), udpPorts: parsePortList(text.slice(idx + 1)) };
  }
  if (text.length === 0) throw new ConfigError('empty --advertise', 'bad-value');
  return { host: text, udpPorts: null };
}

/**
 * Parses `--relay-ip IP[,IP]`: the address put in XOR-RELAYED-ADDRESS, or one per family for
 * dual stack (RFC 8656 §7.2: IPv4 unless REQUESTED-ADDRESS-FAMILY asks for IPv6). `primary`
 * is the IPv4 one when both are given. The addresses themselves are checked by the relay.
 */
export function parseRelayIps(text: string): { primary: string; ipv6: string | null } {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const [first] = parts;
  if (parts.length === 1 && first !== undefined) return { primary: first, ipv6: null };
  const [v4] = parts.filter((p) => !p.includes(':'));
  const [v6] = parts.filter((p) => p.includes(':'));
  // Two parts, one of each family.
  if (parts.length === 2 && v4 !== undefined && v6 !== undefined) return { primary: v4, ipv6: v6 };
  throw new ConfigError(`--relay-ip "${text}": give one address, or one IPv4 and one IPv6 address (e.g. 203.0.113.10,2001:db8::10)`, 'bad-value');
}

/** Parses `HOST:PORT` or `[IPV6]:PORT` (e.g. --metrics-listen 127.0.0.1:9100); port 0..65535. */
export function parseHostPort(text: string, what: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]]+):(\d+)$/.exec(text);
  if (!m) throw new ConfigError(`${what} must look like 127.0.0.1:9100 or [::1]:9100, not "${text}"`, 'bad-value');
  return { host: m[1] ?? '', port: parseIntInRange(m[2] ?? '', what, BOUNDS.listenPort) };
}

/**
 * The standard rungs of the connectivity ladder (seed 004: Teams media uses UDP 3478-3481 and
 * falls back to TCP/TLS 443). A report always lists these; UDP rungs are matched by port, the
 * TCP and TLS rungs by transport (a server may offer them on another port than 443).
 */
export const STANDARD_RUNGS: ReadonlyArray<{ readonly transport: TurnServerEntry['transport']; readonly port: number }> = [
  { transport: 'udp', port: 3478 },
  { transport: 'udp', port: 3479 },
  { transport: 'udp', port: 3480 },
  { transport: 'udp', port: 3481 },
  { transport: 'tcp', port: 443 },
  { transport: 'tls', port: 443 },
];

/** RFC 7065 §3.1: the parts of a TURN URI as written (nothing defaulted). */
export interface TurnUriParts {
  /** "turns" = TLS to the server (RFC 7065 §3.1 <secure>). */
  scheme: 'turn' | 'turns';
  /** Host name or IP address; an IPv6 literal without its brackets. */
  host: string;
  /** The port as written, or null (then 3478 for turn:, 5349 for turns:). */
  port: number | null;
  /** The ?transport= parameter, or null when absent. */
  transport: 'udp' | 'tcp' | null;
}

// RFC 3986 §3.2.2: IP-literal (here IPv6 only) or IPv4address / reg-name (unreserved, pct-encoded, sub-delims).
const TURN_URI = /^(turns?):(?:\[([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)\]|([A-Za-z0-9\-._~%!$&'()*+,;=]+))(?::(\d{1,5}))?(?:\?transport=([A-Za-z0-9\-._~]+))?$/;

function readTurnUri(text: string): TurnUriParts | string {
  // Lower-case scheme and transport only, as WebRTC's ICE server parsing (Chromium) compares them.
  const m = TURN_URI.exec(text);
  if (!m) return 'expected turn:HOST[:PORT][?transport=udp|tcp] or turns:HOST[:PORT][?transport=tcp]';
  const scheme = m[1] === 'turns' ? 'turns' : 'turn';
  const port = m[4] === undefined ? null : Number(m[4]);
  if (port !== null && (port < BOUNDS.port.min || port > BOUNDS.port.max)) return `port ${port} is not ${BOUNDS.port.min}..${BOUNDS.port.max}`;
  const t = m[5];
  if (t !== undefined && t !== 'udp' && t !== 'tcp') return `transport "${t}" is not udp or tcp`;
  // turns: over UDP would be DTLS (RFC 7350), which neither Chromium nor this relay speak.
  if (scheme === 'turns' && t === 'udp') return 'turns: runs over TCP (TLS); DTLS (transport=udp) is not supported';
  return { scheme, host: m[2] ?? m[3] ?? '', port, transport: t ?? null };
}

/** Parses an RFC 7065 TURN URI into its parts; throws ConfigError (reason bad-turn-uri). */
export function parseTurnUriParts(uri: string): TurnUriParts {
  const r = readTurnUri(uri.trim());
  if (typeof r === 'string') throw new ConfigError(`not a TURN URI (RFC 7065): "${uri}": ${r}`, 'bad-turn-uri');
  return r;
}

/** The parts of a TURN URI, or null when it is not one (e.g. a getStats `url` from another relay). */
export function tryParseTurnUriParts(uri: string): TurnUriParts | null {
  const r = readTurnUri(uri.trim());
  return typeof r === 'string' ? null : r;
}

/** Parses "turn:host:port?transport=udp" / "turns:host:port" into the entry the page receives. */
export function parseTurnUri(uri: string): TurnServerEntry {
  const p = parseTurnUriParts(uri);
  const secure = p.scheme === 'turns';
  const transport: TurnServerEntry['transport'] = secure ? 'tls' : p.transport === 'tcp' ? 'tcp' : 'udp';
  return { url: uri.trim(), transport, port: p.port ?? TURN_DEFAULT_PORT[p.scheme] };
}

/** The RFC 7065 URI of one relay listener: `turn:HOST:PORT?transport=udp|tcp`, TLS as `turns:HOST:PORT?transport=tcp`. */
export function formatTurnUri(host: string, port: number, transport: TurnServerEntry['transport']): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return transport === 'tls' ? `turns:${h}:${port}?transport=tcp` : `turn:${h}:${port}?transport=${transport}`;
}

/** Where results are stored (`--db`): an SQLite file, or a PostgreSQL connection URI (RFC 3986 §3; libpq's postgres:// form). */
export type DbTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** Parses `--db FILE|postgres://...|postgresql://...`; throws ConfigError (bad-db). */
export function parseDbTarget(text: string): DbTarget {
  const t = text.trim();
  if (t.length === 0) throw new ConfigError('--db is empty: give a file (SQLite) or a postgres:// URL', 'bad-db');
  if (/^postgres(ql)?:\/\//i.test(t)) return { kind: 'postgres', url: t };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) throw new ConfigError(`--db ${t}: only a file (SQLite) or a postgres:// URL`, 'bad-db');
  return { kind: 'sqlite', path: t };
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;
const IPV6_CIDR = /^([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)(?:\/(\d{1,3}))?$/;

/** Parses `--trust-proxy` (comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For is believed). */
export function parseTrustProxy(text: string): string[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0) throw new ConfigError("--trust-proxy is empty: give the proxies' addresses, e.g. 127.0.0.1,10.0.0.0/8", 'bad-value');
  for (const item of list) {
    const v4 = IPV4_CIDR.exec(item);
    if (v4) {
      if (v4.slice(1, 5).some((o) => Number(o) > 255) || (v4[5] !== undefined && Number(v4[5]) > 32))
        throw new ConfigError(`--trust-proxy: not an IPv4 address or CIDR: "${item}"`, 'bad-value');
      continue;
    }
    const v6 = IPV6_CIDR.exec(item);
    if (v6 && (v6[2] === undefined || Number(v6[2]) <= 128)) continue;
    throw new ConfigError(`--trust-proxy: not an IP address or CIDR: "${item}"`, 'bad-value');
  }
  return list;
}

/** Parses an operator token (--admin-token, CALLPROBE_ADMIN_TOKEN): printable, no spaces, bounded. */
export function parseAdminToken(text: string): string {
  const b = BOUNDS.adminTokenChars;
  if (text.length < b.min || text.length > b.max || !/^[\x21-\x7e]+$/.test(text)) {
    throw new ConfigError(`the admin token must be ${b.min}..${b.max} printable characters without spaces (e.g. openssl rand -hex 24)`, 'bad-value');
  }
  return text;
}

/** Whether a client-made sampleId has the allowed shape (8..64 of [A-Za-z0-9._-]). */
export function isSampleId(value: unknown): value is string {
  const b = BOUNDS.sampleIdChars;
  return typeof value === 'string' && value.length >= b.min && value.length <= b.max && /^[A-Za-z0-9._-]+$/.test(value);
}

/** Parses a span back from now (`7d`, `36h`, `90m`) within BOUNDS.siteReportSinceMs; returns ms. */
export function parseSinceSpan(text: string, what = '--since'): number {
  return parseDurationMs(text, what, BOUNDS.siteReportSinceMs);
}

/** Parses an IANA time zone name (e.g. Europe/Paris, UTC) as Intl knows it; returns its canonical spelling. */
export function parseTimeZone(text: string, what = '--tz'): string {
  const t = text.trim();
  if (t.length === 0 || t.length > BOUNDS.timeZoneChars || !/^[A-Za-z0-9_+\-/]+$/.test(t)) {
    throw new ConfigError(`${what} must be an IANA time zone name such as Europe/Paris or UTC, not "${text}"`, 'bad-value');
  }
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: t }).resolvedOptions().timeZone;
  } catch (err) {
    if (err instanceof RangeError)
      throw new ConfigError(`${what}: "${text}" is not a time zone this runtime knows (IANA names, e.g. Europe/Paris)`, 'bad-value');
    throw err;
  }
}

/** The units a duration may be written in (`5s`, `10m`, `2h`, `7d`), in ms. */
const DURATION_UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Parses a duration such as `5s`, `10m`, `2h` or `7d` (an integer and one unit, which is
 * required: a bare `10` could mean seconds or minutes) into ms within `bounds`.
 */
export function parseDurationMs(text: string, what: string, bounds: { readonly min: number; readonly max: number }): number {
  const m = /^\s*(\d{1,9})\s*([smhd])\s*$/.exec(text);
  const n = m ? Number(m[1]) * DURATION_UNIT_MS[m[2] as keyof typeof DURATION_UNIT_MS] : Number.NaN;
  if (!Number.isSafeInteger(n) || n < bounds.min || n > bounds.max) {
    throw new ConfigError(
      `${what} must be a duration ${formatDurationMs(bounds.min)}..${formatDurationMs(bounds.max)} written like 5s, 10m, 2h or 7d, not "${text}"`,
      'bad-value',
    );
  }
  return n;
}

/** A duration in ms as the largest whole unit (`600000` -> `10m`), else in ms (`1500ms`). */
export function formatDurationMs(ms: number): string {
  for (const [unit, size] of Object.entries(DURATION_UNIT_MS).reverse()) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** A help desk user name (serve --users, POST /api/console/login); throws ConfigError. */
export function parseUserName(text: string, what = 'user name'): string {
  const b = BOUNDS.userNameChars;
  if (text.length < b.min || text.length > b.max || !/^[A-Za-z0-9._@-]+$/.test(text))
    throw new ConfigError(`${what} must be ${b.min}..${b.max} of letters, digits and . _ @ -, not "${text.slice(0, b.max)}"`, 'bad-value');
  return text;
}

/** A password given to hash-password or to the login (length only: any characters); throws ConfigError. */
export function parsePassword(text: string, what = 'password'): string {
  const b = BOUNDS.passwordChars;
  if (text.length < b.min || text.length > b.max) throw new ConfigError(`${what} must be ${b.min}..${b.max} characters`, 'bad-value');
  return text;
}
