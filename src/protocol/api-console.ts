/**
 * The help desk console's contract: what /api/console answers, built once by the server
 * (server/console/view.ts, server/http/console.ts) and rendered as is by the console page
 * (src/web/components/console.ts). Types only; the requests' schemas are in ./api-requests.ts.
 *
 * POST `${CONSOLE_API}/login` { name, password } sets an HttpOnly session cookie (so does the
 * company sign-in: ./api-console-sign-in.ts); GET `${CONSOLE_API}/sign-in` says which ways are
 * offered; POST
 * `${CONSOLE_API}/logout`; GET `${CONSOLE_API}/me`; GET
 * `${CONSOLE_API}/results?code=&ticket=&site=&from=&to=&verdict=&tz=` (newest first; a site finds the
 * results a link named it on without the token too, marked unverified);
 * GET `${CONSOLE_API}/results/:id?tz=` (one result, redacted for tier 1). The page is /console.
 */
import type { ClientAddress } from './api.js';
import type { Side } from './could-not-finish.js';

export const CONSOLE_API = '/api/console';
export const CONSOLE_PAGE = '/console';
/** The session cookie's name (RFC 6265 §4.1). */
export const CONSOLE_COOKIE = 'callprobe_console';

/**
 * Shown beside every ticket in the console: a ticket is a label the tester typed (page ?ticket=,
 * run --ticket), and results are stored anonymously, so anyone can store a result under any
 * ticket. It helps to find a result; it proves nothing about whose it is.
 */
export const TICKET_HINT =
  'Tickets are hints: a ticket is what the person testing typed, and anyone can store a result under any ticket. The result code the user reads out is what tells you a result is theirs.';

/** Tier 1 sees a redacted result; tier 2 also the network details (and each such view is audited). */
export type ConsoleRole = 'tier1' | 'tier2';

/** GET /me and POST /login: who is logged in. */
export interface ConsoleWho {
  name: string;
  role: ConsoleRole;
}

/** One row of a console search. */
export interface ConsoleSearchRow {
  id: string;
  code: string;
  kind: 'report' | 'could-not-test';
  /** ISO 8601 UTC. */
  startedAt: string;
  /** The start in the agent's time zone, e.g. "2026-01-15 11:00 (Europe/Paris)". */
  startedAtLocal: string;
  site: string | null;
  /** A site named without the operator token (a ?site= link): the report's meta.siteUnverified, never counted as the site; null when none. */
  siteUnverified: string | null;
  ticket: string | null;
  verdict: string | null;
}

/** GET /results: the rows found. */
export interface ConsoleSearchAnswer {
  results: ConsoleSearchRow[];
  /** More results matched than one answer holds (narrow the search). */
  truncated: boolean;
}

/** One graded metric of the result beside the site's figures for the same hours. */
interface BaselineMetric {
  target: string;
  label: string;
  direction: string;
  unit: 'ms' | '%';
  threshold: number;
  /** This result's graded value, or null. */
  value: number | null;
  p50: number | null;
  p90: number | null;
  samples: number;
  /** above-p90 | above-p50 | typical | null (no value or no baseline). */
  standing: 'above-p90' | 'above-p50' | 'typical' | null;
  /** value, p50 and p90 as the page prints figures (src/analysis/present/format.ts), never equal to the threshold's text when they differ. */
  figures: { value: string; p50: string; p90: string };
}

/** The site's samples of the span before the result, started in the same hours of the day. */
export interface Baseline {
  site: string;
  sinceMs: number;
  /** Hours of the day (agent's zone) the samples started in: the result's hour ± band. */
  hours: number[];
  timeZone: string;
  samples: number;
  metrics: BaselineMetric[];
}

/** What to tell the user: the page's own answer (src/analysis/present/answer.ts). */
interface ConsoleAnswer {
  tone: 'good' | 'caution' | 'bad' | 'unsure';
  sentence: string;
  /** Why a pass is not a plain one (a fallback path), naming what this test tried; null when none. */
  caution: string | null;
  /** What holds whatever the verdict (a fallback path, blocked ports, a relay that refused, a busy device or server), each with its action: said first. */
  facts: { id: string; text: string; action: string }[];
  /** An early "calls will break up here" the verdict did not keep, with why; null when none. */
  withdrawn: string | null;
  findings: { kind: string; sentence: string }[];
  advice: { id: string; text: string; because: string }[];
}

/** One strict target's grade (the report's `grades`, these fields). */
export interface ConsoleGrade {
  target: string;
  label: string;
  direction: string;
  value: number | null;
  unit: 'ms' | '%';
  threshold: number;
  status: 'pass' | 'fail' | 'insufficient';
  /** The value as the page's verdict table prints it ("99.96 ms" against 100 ms, never "100 ms"). */
  measured: string;
  /** The target as the page states it ("< 100 ms"). */
  limit: string;
}

/**
 * Parts of the stored report the view passes on as the report has them (the report's schema,
 * src/analysis/schema/report-schema.ts, is their full shape); named here: the fields the console reads.
 */
interface ConsoleCqd {
  classification: string;
  sentence: string;
  /** Which Teams call quality dashboard criteria the classification applies. */
  basis: string;
}
interface ConsoleNat {
  mapping: string;
  reason: string;
}
interface ConsolePath {
  transport: string;
  port: number | null;
  candidateType: string | null;
}

/** One result of a browser's chain of tests, as the console links it. */
export interface ConsoleChainLink {
  code: string;
  startedAtLocal: string;
  /** pass / fail / insufficient, or null for a test that could not run. */
  verdict: string | null;
  /** The claim between this test and the one shown came from another network than the claimed result's (marked: someone else may have made it). */
  otherNetwork: boolean;
}

/**
 * The same browser's other tests, as that browser claimed them: `earlier`, the result this test
 * was run again from (its result page's link; null: none, or no longer stored), and `later`, the
 * tests run again from this one, newest first, with `laterMore` not listed. The server checked
 * that the earlier code was stored within 30 days and started before the claimer: the link is the
 * browser's claim, not proof that one person ran both (a claim from another network is marked).
 */
export interface ConsoleChain {
  earlier: ConsoleChainLink | null;
  later: ConsoleChainLink[];
  /** Later tests beyond those listed (BOUNDS.consoleChainLaterMax). */
  laterMore: number;
}

/** GET /results/:id: one stored result as the help desk sees it (its row of a search, and the rest). */
export interface ConsoleResultView extends ConsoleSearchRow {
  answer: ConsoleAnswer | null;
  /** The strict targets (every grade) and the Teams CQD poor-stream tier beside them. */
  grades: ConsoleGrade[];
  cqd: ConsoleCqd | null;
  culprit: string[];
  baseline: Baseline | null;
  /**
   * A test that could not run: its reason code and detail, what failed in words, and where to
   * look (the browser, the test server, the network or the server, the link), so a help desk
   * never reads a failure of ours or of the browser as the caller's network.
   */
  couldNotTest: { reason: string; message: string; words: string; side: Side; where: string } | null;
  /** The busy-line phase, when the test loaded the line: its sentence and one line per loaded direction. */
  busyLine: { sentence: string; lines: string[]; capacity: string | null } | null;
  /** The video phase, when the test sent video through the relay: its title, what fits, one line per direction and where the web and the UDP path disagree. */
  video?: { title: string; sentence: string; lines: string[] };
  /** The user's microphone, speaker and camera, one plain sentence each, when a device check ran (never graded; tier 1 too: it names no device). */
  devices: string[] | null;
  /** tier 2 only (a network detail, like the path): the network the user was on (the connection the browser named, a split path) and whether it kept the test's QoS marks (src/analysis/present/qos.ts, never graded), when the test read either. */
  networkContext?: string[];
  /** tier 2 only: the listed media relays' reachability (whether each port answered, and how fast; reachability, not quality), when the test tried them. */
  relayReachability?: string[];
  /** The edge of a hub the test ran on, and the sentence the page said first (the nearest test server, what else was tried); null: the server itself. */
  edge: { id: string; azureRegion: string; sentence: string } | null;
  /** The region leg in words (a sentence per leg, its round trip against the Azure row's limit, its own verdict), or why the row's region was not tested; empty when none applies. */
  regions: string[];
  /** The same browser's earlier and later tests (the browser's claim). */
  chain: ConsoleChain;
  /** The stored report; for tier 1 without path, nat and anything naming the client's address. */
  report: unknown;
  /** tier 2 only: the stored client address(es) within retention, and the network details. */
  network?: { addresses: ClientAddress[]; nat: ConsoleNat | null; path: ConsolePath | null };
}
