/**
 * Every default and bound of callprobe in one place (like irtt's defaults.go), in three kinds:
 * - DEFAULTS, the tunables: the default of what a flag, a URL parameter or an option sets. Only
 *   the options modules read them (in server/: server/config/options.ts and parse.ts, and the
 *   parsers of the operator's files, SERVER_TUNABLE_READERS in scripts/lint/units.js, enforced
 *   by lint); the rest of the program gets each value through its options object.
 * - CONSTANTS: protocol facts and sizes nobody configures; read anywhere, where they are needed.
 * - BOUNDS: the limits every parser and the page's form check against; read anywhere.
 * The page and the client still read some tunables at the point of use. Data only: the grammars
 * that check values against these bounds are in values.ts (shared by both programs),
 * turn-uri.ts (RFC 7065 TURN URIs), server/config/ (the server's own flags) and client/ (the
 * client's). Pure: neither DOM nor Node.
 */

/** Relay allocations one source (IPv4 address, IPv6 /64) may hold: an office behind one NAT. */
const ALLOCATIONS_PER_SOURCE = 256;

/**
 * The relay allocations one page test may hold at once, all under its one credential, term by
 * term. A browser gathers one relay candidate per network interface and relay entry of that
 * interface's family: on every interface once the page may list them all (a granted microphone;
 * Chromium as callprobe starts it), on the default route's otherwise. Measured with 1, 2 and 4
 * interfaces and both families in Chromium and Firefox ESR (docs/benchmarks/allocations.md, "TURN
 * allocations of one page test": up to 22 held at once and 40 made by one test with 4
 * interfaces, 5 entries per family), the per-interface counts are these.
 */
/**
 * A due probe later than this (or than one interval, if longer) is skipped, not sent: both pacers
 * (session/pacer/schedule.ts), and the analysis, which looks this far past a window for a probe
 * due in it that was never sent (measure/windows.ts: Upper bound).
 */
export const PROBE_MAX_LATE_MS = 20;

export const ALLOCATIONS_PER_TEST = {
  /** The port checks: one per relay entry a page is offered in a family (4 UDP ports, TCP, TLS when configured). */
  relayEntriesPerFamily: 6,
  /** A dual-stack server offers every entry in IPv4 and in IPv6 (docs/operate.md, Dual stack). */
  families: 2,
  /** The test's legs: the data channel 1, the RTP leg 2 (Firefox also gathers for its RTCP component until the answer says RTP and RTCP share one, RFC 5761). */
  legs: 3,
  /** Headroom: compare mode's next rung opening while the last one closes, or a release lost on the way. */
  spare: 1,
  /** A laptop's Wi-Fi and Ethernet, a VPN, a virtual adapter (Docker, Hyper-V). */
  interfaces: 4,
};

/** Tunables: the defaults of what a flag, URL parameter or option sets, grouped by who uses them; every number says where it comes from. */
export const DEFAULTS = {
  // ---- The test: page URL parameters, the form, `callprobe run` --------------------------
  /** 15 s fills exactly one 15 s window, the shortest interval the Teams targets grade. */
  testDurationS: 15,
  /** Compare mode: the short stream on each reachable rung. */
  compareSecondsPerRung: 5,
  /** 160 bytes: one 20 ms G.711 audio frame, so every probe is the size of a voice packet. */
  payloadBytes: 160,

  // ---- The session's timeouts (src/session) ------------------------------------------------
  /** Signaling, ICE through the relay, DTLS, SCTP: well under a second on loopback (docs/benchmarks/speed.md); room for slow paths. */
  connectTimeoutMs: 15_000,
  /** All ports are checked at once, in a fraction of a second on loopback (docs/benchmarks/speed.md); 4 s ends a silently dropped port. */
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

  // ---- The page saving its result (POST /api/results) -----------------------------
  /** 4 tries 0.5 s, 1 s, 2 s apart (3.5 s in all) ride out a server restart or a proxy's brief 502. */
  resultSaveAttempts: 4,
  /** The wait before the first retry, doubled before each further one. */
  resultSaveBackoffMs: 500,
  /** One POST of a report (20-60 KiB) answers in milliseconds on loopback; 10 s bounds a stalled one. */
  resultSaveTimeoutMs: 10_000,

  // ---- callprobe serve ---------------------------------------------------------------------
  host: '127.0.0.1',
  httpPort: 8080,
  /** Teams/ACS media ports (Azure Communication Services network requirements): UDP 3478-3481. TURN over TCP listens on the first. */
  turnUdpPorts: [3478, 3479, 3480, 3481] as number[],
  /** RFC 8656 §7.2 suggests the dynamic range of RFC 6335 §6 for relayed addresses: 49152-65535. */
  relayPortRange: { min: 49152, max: 65535 },
  /** TURN REST credential lifetime: one page load mints one; an hour covers a tab left open. */
  credentialTtlS: 3600,
  realm: 'callprobe',
  /** The reflector stops a session that outlives this (a 10-minute test plus margin). */
  maxSessionMs: 12 * 60_000,
  /**
   * Tests at once (reflector sessions): the server's capacity, `serve --max-tests`. A test past it
   * is refused at signalling with `server-busy` before it measures (SERVER_BUSY_WORDS). Set it
   * from the capacity bench (`npm run bench:load -- --capacity`: tests per core) times the cores
   * the data plane has; 50 is well under one core at today's cost per test (docs/benchmarks/load-capacity.md).
   */
  maxSessions: 50,
  logLevel: 'info',
  /**
   * Relay limits (RFC 8656 §7.2: 486 Allocation Quota Reached, 508 Insufficient Capacity).
   * One page test holds all its allocations under its one credential (ALLOCATIONS_PER_TEST).
   */
  relayQuotas: {
    /**
     * One credential = one page test, on a machine with every interface a test may gather on:
     * (6 entries x 2 families + 3 legs + 1 spare) x 4 interfaces = 64, and never more than a
     * quarter of one source's bound (64 of 256), so a credential alone cannot take an office's
     * share. Minting credentials is bounded per source (signalling.configPerMinutePerSource), and the
     * per-source and per-network doors bound what many credentials hold together.
     */
    maxAllocationsPerUsername: Math.min(
      ALLOCATIONS_PER_SOURCE / 4,
      (ALLOCATIONS_PER_TEST.relayEntriesPerFamily * ALLOCATIONS_PER_TEST.families + ALLOCATIONS_PER_TEST.legs + ALLOCATIONS_PER_TEST.spare) *
        ALLOCATIONS_PER_TEST.interfaces,
    ),
    /** An office behind one NAT: 256 / 8 per single-homed IPv4 test = 32 simultaneous page tests from one address. */
    maxAllocationsPerSourceIp: ALLOCATIONS_PER_SOURCE,
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
   * The data plane (server/dataplane/): the relay and the reflector in one process of their own
   * beside the HTTP process (`--workers 1`), or in the HTTP process (0). One plane per host: a
   * streaming test costs about 0.011 cores (docs/benchmarks/load-cost.md), so the whole
   * `maxSessions` fits one core, and more capacity is another host as a hub's edge
   * (docs/ARCHITECTURE.md, "One data plane per host; scale by edges"). A plane that exits is
   * started again after `restartMinMs`, doubling after each one that did not stay up
   * `restartStableMs`, at most `restartMaxMs` apart. Where the OS allows it (root, or
   * CAP_SYS_NICE), the plane's threads run `niceAboveHttp` nice steps ahead of the HTTP process
   * (which holds signalling, the store and the busy-line sink): when the cores are short, the
   * relayed packets are served first. A plane in a process of its own collects its garbage once
   * when no session has been open, and the relay has carried nothing, for `idleCollectMs`, after
   * a test that opened a data-channel leg (server/dataplane/idle-collect.ts). Ten seconds, not one: tests that follow each other within
   * it keep one wrtc factory and the code V8 optimized for them. After 1 s, tests a few seconds
   * apart each paid a new factory, a full collection and V8's optimized code again: the figures
   * are on docs/benchmarks/load-cost.md ("The idle collection after 10 s, not 1 s"). An idle
   * plane pays for it once: its factory's fake audio device wakes for 10 s more.
   */
  dataPlane: {
    workers: 1,
    restartMinMs: 250,
    restartMaxMs: 30_000,
    restartStableMs: 60_000,
    niceAboveHttp: 5,
  },

  /**
   * What the data plane runs on (`serve --data-path`, server/data-path.ts): `auto` is our C addons
   * (`native`) when both load, else what runs wherever Node 20 runs (`portable`).
   */
  dataPath: 'auto',

  /**
   * The HTTP server's connections (server/http/connections.ts). One test from one source holds
   * its page's connections (a browser opens at most 6 per origin), 4 signalling WebSockets and,
   * during a busy-line phase, its load flows (6 per direction): about 20 at once.
   */
  http: {
    /** Connections open at once in total: 50 reflector sessions' worth many times over; lowered to what the open-file limit minus fdReserve leaves. */
    maxConnections: 4096,
    /** Connections open at once from one source (IPv4 address, IPv6 /64): an office behind one NAT running 12 tests at once (12 x 20). */
    maxConnectionsPerSource: 256,
    /**
     * File descriptors kept free for the rest of the process: the relay's 1,000 allocations
     * (one UDP socket each, plus a TCP/TLS client's connection), 50 reflector sessions (a few
     * UDP sockets each), the store, the logs and the page's files.
     */
    fdReserve: 2048,
    /** A connection that sends no request this long after it opened is closed (a browser sends at once; a preconnect waits a few seconds at most). */
    firstRequestTimeoutMs: 10_000,
    /** A request's headers within this long of its first byte (Node's default is 60 s; ours are < 8 KiB). */
    headersTimeoutMs: 10_000,
    /** A whole request within this long: the longest is a busy-line upload flow, cut at 30 s by its own deadline. */
    requestTimeoutMs: 60_000,
    /** An idle keep-alive connection is closed after this long (Node's default). */
    keepAliveTimeoutMs: 5_000,
    /** A request under way with no byte moving either way this long is cut. */
    idleTimeoutMs: 30_000,
  },

  /**
   * The busy-line phase (serve's load sink and source, the page's load flows): after the idle
   * window, real TCP cross-traffic fills the path to the server, uploads then downloads, while
   * the probes keep running. The stop rule follows the IETF draft "Responsiveness under Working
   * Conditions" (draft-ietf-ippm-responsiveness, §4.4: moving averages over the last 4
   * intervals, stable when their spread is within 5 %).
   */
  load: {
    /** Most bytes one phase may move in each direction (shown before the phase starts): 50 MB. */
    maxBytesPerDirection: 50_000_000,
    /** Load flows one source (IPv4 address, IPv6 /64) may hold open at once: one phase's 6, twice (an office behind one NAT). */
    maxFlowsPerSource: 12,
    /** Load flows the whole server holds open at once: eight phases' worth; more are refused (server-busy). */
    maxFlows: 48,
    /**
     * A network (IPv6 /48, RFC 6177 §3: one site; an IPv4 address is its own network) may hold
     * this many sources' worth of flows and phases: a site with two busy LANs, not the 65,536
     * /64s it holds, each with its own source quota (the /64s of one /48 once held every flow).
     */
    sourcesPerNetwork: 2,
    /** Load flows one network may hold open at once: maxFlowsPerSource x sourcesPerNetwork (serve scales it with --load-max-flows-per-source). */
    maxFlowsPerNetwork: 24,
    /** Phases one network may start per hour: phasesPerHourPerSource x sourcesPerNetwork (scaled with --load-tests-per-hour). */
    phasesPerHourPerNetwork: 60,
    /**
     * This share of maxFlows (the last 12 of 48) is kept for networks that hold no flow of
     * another phase: a few networks holding every other flow still leave room for two newcomers'
     * phases, so someone else's test is never refused because others got there first.
     */
    reserveShare: 0.25,
    /** maxFlows x reserveShare (serve scales it with --load-max-flows). */
    reserveFlows: 12,
    /**
     * The floor a phase must move at to keep its flows: each flow is paid for by this rate
     * (64 kbit/s), pooled over the phase's flows in one direction (a phase keeps as many of its
     * flows as its total rate pays for, and its slowest beyond that are cut, too-slow). Pooled
     * because TCP shares a line unevenly: a real phase on a 1 Mbit/s line (6 flows, ~125 KB/s
     * together, some flows far under their 20 KB/s share) pays for 15 flows and loses none; a
     * 256 kbit/s line keeps 3 (still enough to fill it); a flow trickling 1 byte/s pays for
     * nothing and loses its slot at the first judgement after its grace. Holding all 48 flows
     * now costs 384 KiB/s (3 Mbit/s) of real traffic, not 50 bytes/s.
     */
    floorBytesPerS: 8 * 1024,
    /** A flow is judged only after this long from its request's start (TCP's handshake and slow start). */
    floorGraceMs: 2_000,
    /**
     * A flow's rate is what it moved over the last this long (from its start while younger):
     * a download whose client stops reading after the kernel's buffers took a burst falls to
     * zero within this window, however big the burst was.
     */
    floorWindowMs: 3_000,
    /** Flows are judged this often. */
    floorCheckMs: 500,
    /**
     * Bytes the sink and source move per hour, both directions together (20 GiB: ~200 full
     * phases, ~48 Mbit/s on average); once reached, grants and flows are refused (hour-budget,
     * one log line) until the hour (from its first byte) is over. One source used to move 2.8 GB
     * an hour each way.
     */
    maxBytesPerHour: 20 * 1024 ** 3,
    /** Phases one source may start per hour: a help desk running a test every few minutes, not a flood. */
    phasesPerHourPerSource: 30,
    /** Grant requests per minute per source (the upload and download routes allow ten times this many requests). */
    requestsPerMinutePerSource: 60,
    /** A phase's grant expires this long after it was given: the phase lasts at most phaseMaxMs. */
    grantTtlMs: 40_000,
    /** One flow (one request) is cut after this long, whatever it still has to move. */
    flowMaxMs: 30_000,
    /** Flows per direction: Chromium opens at most 6 HTTP/1.1 connections per origin. */
    flowsPerDirection: 6,
    /** Every upload body and download is this size (fixed, the last ones cut to what is left of the budget): 4 MiB. */
    requestBytes: 4 * 1024 * 1024,
    /** Largest body or download one request may ask for. */
    requestBytesMax: 16 * 1024 * 1024,
    /** The download source sends from one buffer of this size, again and again (never more in memory). */
    sourceChunkBytes: 64 * 1024,
    /** Each direction runs at most this long (the time cap). */
    directionCapMs: 10_000,
    /** ...and at least this long before the stop rule may end it (queues take a few seconds to fill). */
    directionMinMs: 4_000,
    /** After the uploads stop, the queue they filled drains for at most this long before the downloads start. */
    drainMaxMs: 3_000,
    /** The whole phase, drain included, never takes longer than this. */
    phaseMaxMs: 25_000,
    /** The stop rule's interval: goodput and probe delay are sampled this often. */
    stopRuleIntervalMs: 500,
    /** Moving averages over this many intervals, and the last this many averages compared (the draft's MAD = 4). */
    stopRuleIntervals: 4,
    /** Stable when the averages' standard deviation is within this share of their mean (the draft's SDT = 5 %). */
    stopRuleSpreadPct: 5,
    /** ...or, for probe delay, within this many ms (small delays swing by more than 5 % with no load at all). */
    stopRuleDelayFloorMs: 5,
    /** The figures of a direction are taken over its last stretch of this length (its working window). */
    workingWindowMs: 4_000,
  },

  // ---- The results store ----------------------------------------------------------
  results: {
    /** The embedded store (SQLite), created on first start, relative to the working directory. */
    dbPath: './data/callprobe.db',
    /** Address-free reports: a year covers a help-desk case and a site's yearly comparison. */
    retainDays: 365,
    /** Client addresses (personal data under the GDPR): four weeks cover a ticket's triage. */
    retainIpDays: 28,
    /**
     * A result upload's body as a whole: a v2 report is ~19-23 KB compact whatever the duration
     * (15 s and 10 min fixtures measured), and its provisional history adds at most ~34 KB (16
     * answers of 7 claims with 200 characters of evidence each): ~57 KB. A report with its region leg
     * (docs/regions.md) carries a second full report: twice that, under 128 KiB.
     */
    bodyLimitBytes: 128 * 1024,
    /** One page test saves once; 30 a minute per address (/64 for IPv6) is an office behind one NAT retrying. */
    postsPerMinutePerIp: 30,
    /** Reads of shared results (/r/:code, /api/r/:code) per minute per address: a person opens a few; bounds guessing 2^40 codes. */
    readsPerMinutePerIp: 120,
    /** Bytes of results one anonymous source may have stored per day (kept a year): ~400 page tests of ~20 KB, an office's busy day; the operator token is exempt. */
    storedBytesPerDayPerSource: 8 * 1024 * 1024,
    /** Failed result-code lookups per minute from every source together (10 a second): a guesser of 2^40 codes gets nowhere, honest mistypes fit many times over. */
    failedLookupsPerMinute: 600,
    /** Retention purge: at start and then hourly. */
    purgeIntervalMs: 3_600_000,
  },
  /**
   * Signalling limits (/api/signal). The page sends its offer right after the
   * WebSocket opens, then trickles a handful of candidates (relay-only: one per TURN entry).
   */
  signalling: {
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
   * Site reports over many stored samples (src/analysis/site). Microsoft's method
   * (Microsoft's guidance, "Measuring network performance"): a test every 10 minutes for a week, then the
   * 90th percentile against the targets.
   */
  console: {
    /** A help desk session ends after this long without a request (OWASP session management: 15-30 min for low-risk apps). */
    sessionIdleMs: 30 * 60_000,
    /** ...and this long after login whatever the activity: one working day. */
    sessionAbsoluteMs: 8 * 3_600_000,
    /** Login attempts per minute per address (IPv4, IPv6 /64): an office behind one NAT mistyping, not a guessing run. */
    loginsPerMinutePerAddress: 20,
    /**
     * Wrong passwords are throttled per (user name, source), never per user name alone, so nobody
     * can lock a help desk user out from elsewhere (server/console/login-throttle.ts): 5 free, then
     * a wait before the next attempt from that source, 1 s doubling with each failure up to 15 min
     * (about 20 guesses in the first hour, 4 an hour after); a pair quiet for an hour starts afresh.
     * Refusals are logged once per source per minute. The networks a user logged in from (the last
     * 16 within 30 days, in memory) are known: a login from one is checked first (knownLoginWaitMs).
     */
    loginThrottle: {
      freeFailures: 5,
      backoffBaseMs: 1_000,
      backoffMaxMs: 15 * 60_000,
      forgetMs: 3_600_000,
      maxPairs: 10_000,
      logIntervalMs: 60_000,
      knownNetworksPerUser: 16,
      knownNetworkMs: 30 * 86_400_000,
    },
    /** Signing in through the company's identity provider (serve --oidc-issuer: server/console/oidc.ts). */
    oidc: {
      /** A sign-in sent to the provider must come back within this long: its state, nonce and PKCE verifier are then forgotten. */
      pendingTtlMs: 10 * 60_000,
      /** Sign-ins sent to the provider and not back yet, held at most (the oldest dropped first; about 400 bytes each). */
      pendingMax: 10_000,
      /** Whether the provider answers (its discovery document read again) is asked at most this often while it does... */
      checkEveryMs: 30_000,
      /** ...and while it does not (whoever asks: the login page, a sign-in started), so a provider back is seen within seconds... */
      recheckDownMs: 2_000,
      /** ...and that question gives up after this long (the login page waits on it)... */
      checkTimeoutS: 3,
      /** ...and the code's exchange at the provider's token endpoint after this long. */
      exchangeTimeoutS: 10,
      /** GET /api/console/sign-in per minute per address (each console page load asks once). */
      statusPerMinutePerAddress: 60,
      /** The ID token claim that lists the user's groups, when the groups file names none (Okta's and Keycloak's usual name; Entra ID's too). */
      groupsClaim: 'groups',
    },
  },
  siteReport: {
    /** Two-sided level of the distribution-free (order-statistic) interval of a site P90. */
    p90ConfidenceLevel: 0.95,
    /**
     * Fewest graded samples a site P90 is graded from: the smallest n whose equal-tailed 95 %
     * order-statistic interval of the 90th percentile (binomial, each tail <= 2.5 %) has an
     * upper end below the largest sample, so one outlier alone cannot bound it. Computed by
     * p90MinSamples() in src/analysis/measure/order-statistics.ts; a test checks this number.
     */
    p90MinSamples: 54,
    /**
     * Fewest graded samples a site P90 can fail from before p90MinSamples: when even the lower
     * end of that interval (one-sided, 97.5 %) is at or above the target, the P90 is too, and the
     * site fails already (with 14 samples: 5 of them missing the target). From the smallest n
     * whose lower end is above the smallest sample, so no single sample decides it. Computed by
     * p90EarlyFailMinSamples() in src/analysis/measure/order-statistics.ts; a test checks this number.
     */
    p90EarlyFailMinSamples: 4,
    /** Worst weekday x hour cells listed (the page shows all 168). */
    worstHours: 5,
    /** `callprobe report`: one GET of a site report; a year of samples reads and grades in well under this. */
    fetchTimeoutMs: 60_000,
  },
  /** Clock skew allowed on a TURN credential's expiry beyond --credential-ttl before the relay refuses it. */
  credentialSkewS: 300,

  // ---- Site alerts (serve --alerts FILE) --------------------------------------------
  alerts: {
    /** Samples a rule's P90 is taken over: the fewest a site report grades a P90 from (siteReport.p90MinSamples; nine hours of 10-minute samples). */
    samples: 54,
    /** Breaching evaluations in a row before an alert is raised, passing ones before it clears. */
    raiseAfter: 3,
    clearAfter: 3,
    /** One webhook POST may take this long before it is abandoned (and logged). */
    webhookTimeoutMs: 5_000,
    /** Webhook posts in flight at once (one instance delivers, the oldest post of each site first). */
    maxInFlight: 16,
    /** A could-not-test rule judges its window from this many samples (fewer: a young or slow site says nothing yet). */
    couldNotTestMinSamples: 3,
    /** The silence rules are swept this often (by the one instance holding the alerts lease). */
    sweepIntervalMs: 60_000,
    /**
     * A webhook post that failed is tried again after 1 s, doubling up to 5 minutes between tries,
     * for 24 hours; then it is given up (logged and counted). Posts of one site go in order: a
     * later one waits for the earlier.
     */
    retryBaseMs: 1_000,
    retryMaxMs: 5 * 60_000,
    retryForMs: 24 * 3_600_000,
    /** Posts tried per delivery pass. */
    postsPerPass: 32,
  },

  // ---- The fleet's health (heartbeats and leases in the shared store) ----------------------------
  fleet: {
    /** Every serve instance records a heartbeat this often in the store it shares. */
    heartbeatMs: 10_000,
    /**
     * An instance that died is counted up until this long after its last beat (two beats: a beat
     * can be late on a busy machine); a clean stop ends its run at once. With no instance up, the
     * service is down: a could-not-test sample then is ours, not the site's.
     */
    heartbeatGraceMs: 20_000,
    /** The alerts lease (sweeps and webhook delivery): one instance holds it, renewed each beat, free this long after its holder died. */
    leaseTtlMs: 30_000,
    /** How far back the silence sweep and the could-not-test rule read our heartbeats: the longest rule span, and a day. */
    lookbackMs: 8 * 86_400_000,
  },

  // ---- Each site's quality on /metrics (server/fleet/site-series.ts), with --metrics-listen --------
  siteSeries: {
    /** The series are computed from the store this often (the all-sites overview's query), never per scrape: a scrape reads the last ones. */
    intervalMs: 60_000,
    /** Over the samples started this far back: the all-sites overview's default span. */
    spanMs: 7 * 86_400_000,
    /** --metrics-max-sites: the sites with most samples get series of their own; the others' samples are summed as site="_other". */
    maxSites: 200,
  },

  // ---- Edges: a hub and the edges that run the data plane in each region (src/protocol/api-edges.ts) ----
  edges: {
    /** An edge beats this often (M-Lab's locate service hears its servers every few seconds): a stopped edge is gone from the list within silentAfterMs of its last beat. */
    heartbeatMs: 5_000,
    /** An edge not heard from for this long leaves GET /api/edges and the pages' configuration: six beats, so a beat or two lost on the way never drops it. */
    silentAfterMs: 30_000,
    /**
     * Pages are offered an edge (and given its relay's evidence) only while it was heard within
     * this: two beats and a timeout, so a killed edge leaves the pages' configuration within
     * 12 s, not silentAfterMs, and a test that failed on it meanwhile is told as ours.
     */
    offeredWithinMs: 12_000,
    /** One beat gives up after this long (the next is due at heartbeatMs). */
    heartbeatTimeoutMs: 4_000,
    /** The hub reads its registry from the store this often (another hub instance on the same store heard the beat): a new edge reaches every instance within it. */
    registryRefreshMs: 2_000,
    /**
     * Beats one edge token may send per minute: one edge sends 12 (and one more when its relay
     * check changes its state); room for restarts. Counted per token, not per address, so edges
     * behind one NAT or one TCP-level TLS proxy each keep their own.
     */
    heartbeatsPerMinutePerToken: 120,
    /**
     * Beats refused for their token (unknown, revoked, another edge's) one source (IPv4 address,
     * IPv6 /64) may send per minute; past it, a source's beats are refused before the token is
     * looked up (429), so a guesser costs the store nothing. Sources are counted up to
     * refusedBeatSourcesMax at once.
     */
    refusedBeatsPerMinutePerSource: 20,
    refusedBeatSourcesMax: 10_000,
    /**
     * An edge checks its own relay this often: a TURN Allocate on every TURN entry it advertises,
     * from its HTTP process (outside its relay's), the result in its next beat (at once when its
     * state changes). A relay that stops answering is `relay-down` at the hub within one check and
     * one beat (35 s), and back as soon as a check passes.
     */
    relayCheckMs: 30_000,
    /** One port's Allocate (or TCP/TLS connection) is given this long; UDP is tried again every 250 ms meanwhile. */
    relayCheckTimeoutMs: 3_000,
    /** GET /api/edges per minute per source (IPv4 address, IPv6 /64). */
    listPerMinutePerSource: 60,
  },

  // ---- Each address family to the relay, when the server offers both (src/session/locate/families.ts) ----
  families: {
    /** Both families are measured at once, through the first UDP entry of each, within this (set-up included). */
    budgetMs: 4_000,
    /** Round trips per family: 50 give loss in 2 % steps, enough to tell a path well over Teams' 1 % target from chance (lossGapPctPoints). */
    probes: 50,
    /** One probe per family this often: 50 probes in 1 s, a call's audio packet rate. */
    intervalMs: 20,
    payloadBytes: 40,
    /** A probe not back this long after it was sent is lost (as the locate's). */
    lossTimeoutMs: 600,
    /**
     * One family is much worse when its median round trip is at least this many ms longer and at
     * least rttRatio times the other's: 20 ms is a fifth of Teams' 100 ms round-trip target
     * from client to Microsoft's edge, and the ratio keeps two long paths that differ by their
     * own noise from being told apart.
     */
    rttGapMs: 20,
    rttRatio: 1.25,
    /**
     * Or when its loss is at least this many percentage points higher: 6 points is 3 of 50
     * probes, and a path meeting Teams' 1 % loss target loses 3 or more of 50 only 1.4 % of the
     * time (binomial), where 1 or 2 lost probes are chance.
     */
    lossGapPctPoints: 6,
  },

  // ---- The echo test: the user's voice through the relay and back (src/web/devices/echo.ts) ----

  // ---- Locate: the nearest edge, measured from the client before the test (src/session/locate/) ----
  locate: {
    /** The locate measures every edge at once for at most this long (LiveKit's region check and M-Lab's locate both answer within seconds). */
    budgetMs: 3_000,
    /** Round trips per edge: 20 give a median to a few ms and loss to 5 % steps. */
    probes: 20,
    /** One probe per edge this often: 20 probes in 0.6 s, so an edge 150 ms away still sends all of them within the budget after its set-up. */
    intervalMs: 30,
    /** A probe's payload: the wire format's smallest probe (src/protocol/wire.ts), its sequence number and send time. */
    payloadBytes: 40,
    /** A probe not back this long after it was sent is lost (six times a 100 ms round trip); probes sent later than budgetMs minus this are not sent. */
    lossTimeoutMs: 600,
    /**
     * What one edge's locate puts on the client's link at most, both directions together, IP and
     * UDP headers counted: two relay allocations, ICE, DTLS and SCTP through the relay hairpin
     * (each crossing the link twice), and the 20 probes. Measured by bench:regions: 22.6 kB on a
     * clean path, 31 kB for an edge 80 ms away with 1 % loss (more ICE checks go out before the
     * first answer); 35 kB leaves room for edges farther still.
     */
    bytesPerEdge: 35_000,
    /**
     * Edges measured with probes at once: the nearest 4 of the first pass (M-Lab's locate hands out
     * the 4 nearest of its servers too). 4 x bytesPerEdge = 140 kB. With no more edges than this,
     * there is no first pass: every edge is measured.
     */
    maxEdges: 4,
    /**
     * The first pass: one relay-candidate gathering per listed edge, all at once, through the same
     * relay entry the probes use. Its time (Allocate, the 401 challenge, Allocate again: two round
     * trips) ranks the edges; the nearest maxEdges go on to the probes as soon as they have answered
     * (within a few hundred ms of the click on most paths). An edge with no relay candidate within
     * this is `unreachable`: 1.8 s leaves the probes the 1.2 s they need (20 probes 30 ms apart and
     * the 600 ms loss timeout) within budgetMs, and rides out a page whose main thread is held a
     * second as it starts (its first peer connection, its modules) or an Allocate lost and sent again.
     */
    firstPassBudgetMs: 1_800,
    /** Edges the first pass reaches for, at most (the report's locate.edges holds 64): a longer list is cut in the hub's order. */
    firstPassMaxEdges: 64,
    /**
     * What one edge's first pass puts on the client's link at most, both directions, IP and UDP
     * headers counted: two Allocates and their answers, and the Refresh that releases the
     * allocation. Measured by bench:regions (docs/benchmarks/regions.md); 1.5 kB leaves room for a retransmission.
     */
    firstPassBytesPerEdge: 1_500,
    /** What the whole locate may put on the client's link, both directions together, averaged over budgetMs. */
    trafficKbitPerSMax: 400,
    /**
     * A scheduled site keeps the edge its tests run on until another is nearer by at least this
     * much, both at once, on `samplesInARow` samples in a row: twice the locate's own tolerance
     * against its truth (3 ms + 10 %, bench:regions), so a near tie (10 ms against 11) or one
     * sample's spike does not move a site and split its samples between two edges. Two edges
     * closer than this are a tie, and the report says so.
     */
    keep: { nearerPct: 20, nearerMs: 5, samplesInARow: 2 },
    /**
     * The path changed during the test when the test's round-trip median is over `factor` times the
     * locate's 90th percentile to that edge and `plusMs` more: more than the spread of a locate's
     * 20 probes and a busy page's timing explain.
     */
    pathChange: { factor: 2, plusMs: 30 },
  },

  // ---- callprobe run -----------------------------------------------------------------------
  /** Debian's chromium package. */
  browserPath: '/usr/bin/chromium',

  // ---- callprobe run --every (scheduled samples of a site) -----------------------
  schedule: {
    /** Samples not yet stored on the server wait here, relative to the working directory (beside the store's ./data/). */
    spoolDir: './data/spool',
    /** Spooled samples sent per pass (one pass after each sample): under the server's 30 POSTs a minute per address. */
    spoolUploadsPerPass: 20,
    /** Chromium launches tried before a sample is recorded as could-not-test (browser-failed). */
    browserLaunchTries: 2,
    /**
     * A scheduled sample's test length when --duration is not given: the 15 s window the loss and
     * jitter targets are graded on, plus 5 s, so a stream that starts late or loses ticks on a
     * busy probe machine still fills one whole window (a 15 s test that falls short of its 15 s
     * by a tick cannot be judged on them: "window not filled").
     */
    sampleDurationS: 20,
  },
  /**
   * `run --teams-reachability FILE`: how long one port may take to answer, and the STUN
   * retransmission timeout (RFC 8489 §6.2.1: 500 ms initial RTO, doubled each try).
   */
  teamsReachability: {
    timeoutMs: 3000,
    udpRtoMs: 500,
  },
} as const;

/**
 * Constants: protocol facts and sizes nobody configures (no flag, URL parameter or option sets
 * them). Any unit may read them where it needs them; a tunable (DEFAULTS) it gets through its options.
 */
export const CONSTANTS = {
  /**
   * Every door an anonymous caller can hold something of (relay allocations, TURN TCP/TLS
   * connections, HTTP connections, signalling sessions, stored result bytes, result-code reads)
   * counts it per source (IPv4 address, IPv6 /64) and per network (IPv4 address, IPv6 /48:
   * server/common/source-key.ts), with a reserve (server/common/door.ts). A /48 is one site's
   * allocation (RFC 6177 §3) and holds 65,536 /64s: counted by /64 alone, 4 /64s of one /48 took
   * all 1,000 relay allocations and 17 all 4,096 HTTP connections.
   */
  doors: {
    /** A network may hold this many times the per-source bound: a site with a few LANs (RFC 6177 §3 gives a site up to 256 /56s)... */
    networkSourceMultiple: 4,
    /** ...but never more than this share of the door's total (a source never more than its network), so no four networks fill a door. */
    networkShareOfTotal: 1 / 8,
    /** The last this % of each total goes only to a network holding none of the rest: a newcomer gets in while the rest is full, and eight networks at least fill a door. */
    reservePct: 25,
  },
  /** The RTP probe path (src/protocol/rtp-probe.ts). */
  rtp: {
    /** Every probe and echo frame is this long (a 20 ms G.711 frame's size, like the data-channel probes), unless its Opus frame needs more. */
    frameBytes: 160,
    /** `a=ptime:10` in the RTP reflector's answer: Chromium then sends 100 frames/s (measured on this project's test machine); Opus' shortest common frame. */
    ptimeMs: 10,
    /** Echo frames carry the records of this many earlier probes, so up to this many lost echoes in a row lose no upstream evidence. */
    recentRecords: 4,
    /**
     * The pacer's rate beside the RTP stream: it sends nothing (no data channel is opened beside
     * RTP), its ticks are this device's timing (late and missed ticks mark where it fell behind),
     * and its last one ends the RTP stream.
     */
    crossCheckRatePps: 5,
    /** The RTP transform worker posts what it stamped and the echoes it read in batches this often, never per frame. */
    workerBatchMs: 100,
    /** Probe slots kept per second of test: twice the 100 frames/s `ptimeMs` gives, so a faster sender still fits (frames beyond are not stamped). */
    maxFramesPerS: 200,
    /**
     * How long the RTP leg, opened first and alone, may take to connect before the test abandons
     * it and opens the data channel in its place (relay allocation, ICE and DTLS: under a second
     * on a good path; the data channel was up in about one before the RTP leg had 5 s more).
     */
    connectGraceMs: 8000,
    /**
     * The reflector ends an RTP leg that received none of the page's RTP this long after its DTLS
     * handshake (the page's audio frames start at once, 100 a second) and asks the page to open it
     * again (`rtp-retry`, src/protocol/wire.ts): a leg that carries nothing is ours, never the network's loss.
     */
    mediaAfterDtlsMs: 2000,
    /**
     * How long the page waits, once its RTP leg connected, for the reflector's word that the leg
     * carries its audio (`rtp-live`) or must be opened again (`rtp-retry`): the reflector's
     * mediaAfterDtlsMs and a round trip of room. A server that sends neither (an older release) is
     * taken at its word after this wait.
     */
    liveWaitMs: 3000,
    /** RTP legs a test opens at most: the first, and one more when the reflector asks (`rtp-retry`). */
    legAttempts: 2,
  },
  /**
   * The other half of admission: a new test is refused (`server-busy`) while the data plane's
   * event loop runs late, before the tests already running are spoiled. Every `reportMs` the plane
   * reports the worst lateness of each `serverLoop.binMs` bin of its last `windowMs`; it is busy
   * when `busyBins` of them (60 %: a sustained lag) were late by `busyLateMs` or more (the report
   * counts a probe held 20 ms as the server's time, SERVER_BUSY_MS). A page test's set-up (two
   * DTLS handshakes, one in JavaScript; the port check's allocations) stalls the loop for a few
   * seconds: with three Chromium tests at once on 2 busy cores, at most 19 of 50 bins were late,
   * so tests started back to back are never refused for their own set-ups. A report older than
   * `staleMs` is not read (a plane starting again is refused on its own).
   */
  admission: { reportMs: 1_000, windowMs: 10_000, busyLateMs: 20, busyBins: 30, staleMs: 3_000 },
  /**
   * Compare mode's rung refused by the test server's admission (`server-busy`): tried once more
   * after this pause (three of admission's reports, so its window has moved), then shown as the
   * server's limit, never as the rung's failure.
   */
  compareBusyRetryMs: 3_000,
  /**
   * What the relay holds for TURN/TCP and TLS clients that do not read:
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
  /**
   * The server's event-loop lateness (server/reflector/loop-lateness.ts), sent to each test in
   * its reflector's `final`: a timer every `periodMs` notes how late it fired, the worst per
   * `binMs` of the server's clock is kept for the last `bins` bins (12 minutes: maxSessionMs), and
   * a `final` carries at most that many (~17 bytes of JSON each, ~61 KB at most). The timer runs
   * every `periodMs` while a test is open and every `idlePeriodMs` otherwise (one tick per bin):
   * an idle server then wakes 5 times a second instead of 100-150. Each process's lateness for
   * /metrics (server/loop-delay.ts) is sampled at the same two periods. 10 ms, not 20, while a
   * test is open: on the capacity bench (serve capped at 20 % of a core, CFS period 10 ms) the
   * plane held 4 tests at once within tolerance with a 10 ms tick and 1 with a 20 ms one (the
   * second test's jitter 1.4-1.5 ms against 0.35 alone), in two runs each. The HTTP process,
   * when the plane runs in a process of its own, carries no probe: its sampler ticks every
   * `httpPeriodMs` while a test is open (a stall of that length or more is still seen every
   * time), which took 4-6 ms of CPU a second off a test.
   *
   * A plane whose relay reads its UDP on our own sockets also counts, at each tick, the longest
   * wait of a datagram since the last one (from the kernel's receive time to the call of its
   * handler: server/turn/transport/native/udp.c): a probe that arrives in a stall measures it
   * from its own arrival, where the timer alone may see up to one period less of it. Its timer
   * keeps the 10 ms: at 50 ms, with the waits between ticks, the plane woke less often while a
   * test streamed and cost no less (docs/benchmarks/load-cost.md).
   *
   * On the native data path the timer is the relay's UDP addon's, not JavaScript's
   * (server/loop-delay.ts startNativeLoopSampler): its ticks reach JavaScript in batches, every
   * `handOverMs` while a test is open (at each tick otherwise), and at once when a reading is
   * asked for. On the portable path it is a JavaScript timer, and no datagram's wait is counted.
   */
  serverLoop: { periodMs: 10, httpPeriodMs: 50, idlePeriodMs: 200, binMs: 200, bins: 3_600, handOverMs: 100 },
  dataPlane: {
    /** A plane of its own collects its garbage once after this long with no session and nothing relayed (DEFAULTS.dataPlane says why 10 s). */
    idleCollectMs: 10_000,
  },
  results: {
    /**
     * How far a result's start (`meta.startedAt`, the client's clock) may lie after the moment the
     * server received it: a clock a few minutes fast is common, ten is not. Past it the upload is
     * refused: a start in the future would be a site's newest sample for ever (its silence never
     * raised again).
     */
    startedAheadMaxMs: 10 * 60_000,
    /**
     * A test run again from a stored result claims it as its earlier test (`meta.previousCode`):
     * kept only when that result was stored within the last 30 days (a help-desk case's span);
     * an older or unknown code is dropped from the upload, the report stored all the same.
     */
    previousCodeMaxAgeMs: 30 * 86_400_000,
    /**
     * Once the failed lookups (DEFAULTS.results.failedLookupsPerMinute) are spent, a network (IPv4 /24, IPv6 /48) with no failed lookup this minute is
     * still answered, so a few guessers cannot lock everyone out; past this many failing
     * networks in a minute nobody is (at most 600 + 1,000 guesses a minute of 2^40 codes).
     */
    lookupFreeNetworksPerMinute: 1_000,
    /** Truncated client addresses kept beside the full one: IPv4 /24, IPv6 /48 (the site, not the person). */
    truncateIpv4Bits: 24,
    truncateIpv6Bits: 48,
  },
  signalling: {
    /** A session with no offer this long after the WebSocket opened is closed (the page offers within ~0.3 s on loopback). */
    offerTimeoutMs: 5_000,
    /** A session whose offer came but whose data channel has not opened this long after it is closed (the page gives up at connectTimeoutMs). */
    connectTimeoutMs: 20_000,
    /**
     * A session whose page sent no ICE check (no STUN request or response reached the reflector
     * through the relay) this long after the answer is closed (`no-ice`), so an offer alone holds
     * its slot 5 s, not connectTimeoutMs: Chromium's first checks come 1-2 s after the answer on
     * loopback (its candidate, the relay's permission, then a check), and the whole connect takes
     * well under a second there (docs/benchmarks/speed.md).
     */
    iceTrafficTimeoutMs: 5_000,
    /**
     * How often the reflector sends a session's receipts (when its probes reached the server) to
     * the page, as control messages on the signalling socket. Once a second: a provisional answer
     * judges each direction only up to its last probe with an arrival (analysis/measure/so-far.ts),
     * so receipts that come later delay it and never count as loss; the last ones go with the
     * finals at the page's stop. Every 250 ms it cost the server more CPU a test (the data plane's
     * IPC and the HTTP process's relay of four times the messages; docs/benchmarks/load-cost.md).
     */
    receiptIntervalMs: 1_000,
    /** Candidates one session may signal (after its offer): a relay-only page trickles < 10. */
    maxCandidatesPerSession: 32,
  },
  console: {
    /** Password checks running at once, whoever asks (each is ~32 MiB and ~0.1 s of scrypt): more get 503, so many addresses cannot pin the CPU and memory; one more is kept for a network with no wrong password in the last hour (a spray cannot keep the help desk out). */
    maxLoginsInFlight: 4,
    /**
     * A login from a network the user logged in from before (loginThrottle's known networks)
     * waits up to this long for the next free check, ahead of everyone, rather than 503: a spray
     * from many networks never refuses a right login from a known one. ~50 checks' time.
     */
    knownLoginWaitMs: 5_000,
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
    /**
     * The all-sites overview on PostgreSQL runs as this many queries at once, each over a range
     * of sites (its cost is sorting every metric's values per site: CPU, spread over the cores;
     * npm run bench:report, docs/benchmarks/report.md). At most the store's pool size (8).
     */
    overviewQueryChunks: 4,
  },
  alerts: {
    /**
     * Flags of the all-sites overview when no rule sets them: silent after 30 minutes without a
     * sample that tested (three missed 10-minute samples), outages above 20 % of the span's samples.
     */
    overviewSilentForMs: 30 * 60_000,
    overviewOutagesAbovePct: 20,
    /** `callprobe alerts test` posts a minute per source (each is one post to every webhook). */
    testsPerMinutePerSource: 6,
  },
  /**
   * The video phase (`run --video`, the page's video option): after the voice probes, a video
   * track through the same relay each way, on a session of its own (kind `video`).
   */
  video: {
    /**
     * The phase streams this long each way at once: a browser's congestion control climbed past
     * 1080p's 1.5 Mbit/s within a second on a clean path here (its probing), and the reflector's
     * schedule reaches its top step at 5 s.
     */
    seconds: 6,
    /** Arrivals are counted in bins this long (both ends). */
    binMs: 250,
    /** The rate that arrived is the best over any window this long: one burst a queue lets through does not count, a held rate does. */
    windowMs: 2_000,
    /**
     * The page's encoder is capped here: Microsoft's top per-client rate for Teams ("Teams can
     * reach up to 4 Mbit/s per client", "Prepare your organization's network for Microsoft
     * Teams"), with room for headers.
     */
    maxUpKbps: 4_500,
    /**
     * The reflector's stream to the page climbs through these rates, one step per stepMs, and
     * holds the last: a schedule both ends know, so the page tells the offered rate from the one
     * that arrived without asking.
     */
    downStepsKbps: [300, 600, 1_200, 2_000, 3_000, 4_500],
    downStepMs: 1_000,
    /** Filler payload of each downstream packet: a full-size video packet (Chromium packetizes video to about 1,200 bytes). */
    downPayloadBytes: 1_100,
    /** The session ends this long after it opened, whatever happened: connect (15 s at most) and the phase with room. */
    maxSessionMs: 30_000,
    /** Upstream bins the reflector keeps and reports: maxSessionMs at binMs. */
    maxBins: 120,
    /**
     * Bytes of the page's video the reflector takes in one phase: its encoder's cap for the phase
     * and 4 s more (~5.6 MB). Past it the leg closes, and the relay stops carrying anything of
     * the page's to it: a page that ignores the cap cannot make a phase move more.
     */
    maxUpBytes: Math.round((4_500 * 1000 * (6 + 4)) / 8),
    /** After its `stop`, the page waits this long for the reflector's tally (one control message on a live socket). */
    tallyWaitMs: 3_000,
    /**
     * Video phases a source (IPv4 address, IPv6 /64) and a network (IPv6 /48) may start per
     * hour, and the server in all: each moves at most ~7 MB (maxUpBytes up, the schedule's
     * ~1.5 MB down), so a source spends at most ~43 MB an hour on it and the server ~2.1 GB.
     */
    phasesPerHourPerSource: 6,
    phasesPerHourPerNetwork: 24,
    phasesPerHour: 300,
    /**
     * Video phases at once on the server: one took 0.9 s of the data plane's CPU over its 6 s here
     * (about 15 % of a core; a 3 s voice test took 0.17 s), so 4 at once leave most of the plane's
     * core to the voice tests beside them.
     */
    maxOpen: 4,
  },
  echo: {
    /** The page stamps its microphone's frames this long; the reflector echoes them back. */
    seconds: 5,
    /**
     * A frame back more than this after the fastest round trip is late: played as a gap, as
     * lost. 200 ms is past what an adaptive jitter buffer at a call's latency holds (WebRTC's
     * NetEq targets tens of ms and grows only under sustained jitter), and one way stays within
     * ITU-T G.114's 400 ms ceiling for conversation when the base round trip is short.
     */
    lateMs: 200,
    /** Two cuts with less than this much sound between them are heard as one drop-out, ms. */
    mergeGapMs: 100,
    /** After the last stamped frame, the page waits this long for the echoes still on their way (lateMs and room). */
    drainMs: 600,
    /** The reflector ends an echo session this long after its first echoed frame: the page's seconds plus room for the drain. */
    serverCutMs: 6_500,
    /** Sessions reach the first frame within the signalling's offer and connect timeouts; this bounds the whole session besides. */
    maxSessionMs: 30_000,
  },
} as const;

/** Bounds every parser and the page's form check against. */
export const BOUNDS = {
  /** 1 s is the shortest useful test; 600 s = 10 minutes, what maxSessionMs allows for. */
  testDurationS: { min: 1, max: 600 },
  /** A --teams-reachability list: its targets, the ports of one target, and every port it tries (all at once). */
  teamsReachability: { targets: 32, portsPerTarget: 8, probes: 64 },
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
  /**
   * One control message of the reflector to the page on the signalling socket, as text (a batch of
   * receipts in base64): the session sends at most 2,000 receipts a message (28 bytes each: 56 KB,
   * 75 KB in base64) and splits a larger batch.
   */
  controlMessageBytesMax: 128 * 1024,
  /** Per-source signalling and /api/config limit flags: 1 at least, a million at most. */
  perSourceLimit: { min: 1, max: 1_000_000 },
  /** --max-tests: tests at once (DEFAULTS.maxSessions); the relay's allocations bound it anyway. */
  maxTests: { min: 1, max: 100_000 },
  /** --refuse-late-ms: 0 (never refused for lateness) to 10 s (a plane that late has stopped serving). */
  refuseLateMs: { min: 0, max: 10_000 },
  /** --max-connections, --max-connections-per-ip: 1 at least, a million at most (each is a descriptor). */
  connections: { min: 1, max: 1_000_000 },
  /** --fd-reserve: 0 (HTTP may use every descriptor) to a million. */
  fdReserve: { min: 0, max: 1_000_000 },
  /** --metrics-max-sites: sites with series of their own on /metrics (each about 30 series). */
  metricsMaxSites: { min: 1, max: 10_000 },
  /** Relay quota flags: 1 allocation at least, a million at most (each is a socket). */
  allocations: { min: 1, max: 1_000_000 },
  /** --upload-bytes-per-day: one report (64 KiB) at least, a gibibyte at most. */
  uploadBytesPerDay: { min: 64 * 1024, max: 1024 * 1024 * 1024 },
  /** --retain-days: a day at least, ten years at most. */
  retainDays: { min: 1, max: 3650 },
  /** --retain-ip-days: a day at least, a year at most (addresses are personal data). */
  retainIpDays: { min: 1, max: 365 },
  /** A client-made sampleId (idempotent upload): 8..64 of [A-Za-z0-9._-] (a UUID is 36). */
  sampleIdChars: { min: 8, max: 64 },
  /** meta.site and meta.ticket (page ?site= ?ticket=, run --site --ticket, POST), as the report schema bounds them. */
  siteChars: 128,
  /** A result code or id in a path (/r/:code, /api/results/:id): a code is 9 characters, an id 36; room for spaces a user typed. */
  resultRefChars: 64,
  /** Any query parameter a route does not name (ignored, but bounded like every text). */
  queryValueChars: 1024,
  /** A console login's name and password as sent (the login checks them against their own bounds, 401 alike). */
  loginFieldChars: 1024,
  /** Every request body but a result upload's (a console login, a logout): the body as a whole. */
  requestBodyBytesMax: 16 * 1024,
  /** One export answers at most this many rows (use ?since= to page). */
  exportMaxRows: 100_000,
  /** The later tests the console lists under one result (run again from it): a person's tests over days, not a flood. */
  consoleChainLaterMax: 20,
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
  /** serve --oidc-issuer: the issuer's URL. */
  oidcIssuerChars: 2048,
  /** serve --oidc-client-id, and the one line of --oidc-secret-file. */
  oidcClientIdChars: 256,
  oidcClientSecretChars: 1024,
  /** serve --oidc-groups: group names per tier, characters of a group name and of the claim's name, extra scopes asked for. */
  oidcGroupsPerTier: 1000,
  oidcGroupChars: 256,
  oidcClaimChars: 64,
  oidcScopesMax: 8,
  /** An ID token's subject (OpenID Connect Core 1.0 §2: at most 255 ASCII characters) and the name the console shows for it. */
  oidcSubjectChars: 255,
  oidcShownNameChars: 128,
  /** The provider's answer at the callback: the code, the state, an error's description (an Entra ID code is over 1,000 characters). */
  oidcCodeChars: 4096,
  oidcStateChars: 128,
  oidcErrorChars: 1024,
  /** run --every: 5 s at least (a 3 s test and its browser fit), a week at most (Microsoft assesses a site every 10 minutes). */
  scheduleEveryMs: { min: 5_000, max: 7 * 86_400_000 },
  /** run --for: a second at least, a year at most (366 days); run --until: at most that far ahead. */
  scheduleForMs: { min: 1_000, max: 366 * 86_400_000 },
  /** An alert rule's span (silentFor, over): a minute at least, a week at most. */
  alertSpanMs: { min: 60_000, max: 7 * 86_400_000 },
  /** Webhooks one alerts file lists (`webhooks`), and `serve --result-webhook` flags: each is a receiver the delivery keeps a queue for. */
  alertWebhooks: 16,
  resultWebhooks: 16,
  /** A `--result-webhook` filter's ticket prefix. */
  ticketPrefixChars: 64,
  /** run --count: one sample at least; a million is 19 years of 10-minute samples. */
  scheduleCount: { min: 1, max: 1_000_000 },
  /** An edge's id (--edge-id): lower-case letters, digits and hyphens. */
  edgeIdChars: 32,
  /** A URL an edge announces (its HTTP origin, signalling URL, a TURN URI). */
  edgeUrlChars: 512,
  /** TURN entries one edge announces: what one serve advertises, 4 UDP, 1 TCP and 1 TLS per family, twice in dual stack; more is refused (403 too-many-turn-entries). */
  edgeTurnEntriesMax: 12,
  /** TURN entries a beat may carry at all (its schema): the hub refuses those past edgeTurnEntriesMax in words. */
  edgeTurnEntriesSchemaMax: 64,
  /** One edge heartbeat's body: edgeTurnEntriesSchemaMax entries of about 180 bytes each, the URLs and the rest. */
  edgeHeartbeatBytesMax: 16 * 1024,
  /** The hosts one edge token binds (edge-token create --host): a DNS name and an address per family. */
  edgeHostsMax: 3,
  /** One such host: a DNS name's length (RFC 1035 §2.3.4), an IPv6 literal is shorter. */
  edgeHostChars: 253,
  /** An Azure region's name as the table spells it ("North Central US" is the longest). */
  azureRegionChars: 64,
  /** An edge's TURN REST secret: 16 characters at least (a random one is 32), 256 at most. */
  edgeSecretChars: { min: 16, max: 256 },
  /** --load-max-bytes: 1 MB at least (a phase must move something), 1 GB at most per direction. */
  loadMaxBytes: { min: 1_000_000, max: 1_000_000_000 },
  /** --load-max-flows-per-source and --load-max-flows: one flow at least, 10,000 at most. */
  loadFlows: { min: 1, max: 10_000 },
  /** --load-phases-per-hour: one at least, 100,000 at most. */
  loadPhasesPerHour: { min: 1, max: 100_000 },
  /** --load-bytes-per-hour: one smallest phase both ways at least, a pebibyte at most. */
  loadBytesPerHour: { min: 2_000_000, max: 2 ** 50 },
  /**
   * --workers: the data plane in the HTTP process (0) or in one process of its own (1); never
   * more than one plane per host (see DEFAULTS.dataPlane).
   */
  workers: { min: 0, max: 1 },
} as const;

/** A TURN transport to the relay (RFC 5766, RFC 6062; TLS: RFC 5766 section 2.1). */
export type TurnTransport = 'udp' | 'tcp' | 'tls';

/**
 * The standard rungs of the connectivity ladder (Azure Communication Services network requirements: Teams media uses UDP 3478-3481 and
 * falls back to TCP/TLS 443). A report always lists these; UDP rungs are matched by port, the
 * TCP and TLS rungs by transport (a server may offer them on another port than 443).
 */
export const STANDARD_RUNGS: ReadonlyArray<{ readonly transport: TurnTransport; readonly port: number }> = [
  { transport: 'udp', port: 3478 },
  { transport: 'udp', port: 3479 },
  { transport: 'udp', port: 3480 },
  { transport: 'udp', port: 3481 },
  { transport: 'tcp', port: 443 },
  { transport: 'tls', port: 443 },
];
