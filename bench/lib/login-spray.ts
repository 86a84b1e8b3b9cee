/**
 * A password spray against the help desk console, for `bench:load --soak`: wrong passwords for
 * one user name from a few local addresses (an IPv6 /64's several addresses count as one
 * source), several at a time, while the right password is tried once from another address
 * halfway through. Bounded: `attempts` requests in all, each with a timeout.
 */
import http from 'node:http';
import { isIPv6 } from 'node:net';
import { CONSOLE_API } from '../../src/protocol/api-console.js';
import { AbuseError } from './abuse.js';

export interface LoginSprayOptions {
  /** http://host:port of the server, for IPv4 and for IPv6 local addresses (a socket sends to its own family). */
  baseUrl: { 4: string; 6: string };
  user: string;
  /** The user's right password, tried once from `legitFrom`. */
  password: string;
  /** The sprayer's local addresses, in turn. */
  from: readonly string[];
  legitFrom: string;
  attempts: number;
  /** Requests in flight at once. */
  concurrency: number;
}

export interface LoginSprayResult {
  /** Answers to the sprayer, by HTTP status. */
  sprayStatus: Record<string, number>;
  /** The status the right password got from the other address. */
  legitStatus: number;
}

const TIMEOUT_MS = 10_000;

/** POST /api/console/login from `localAddress`; resolves with the status. */
function postLogin(baseUrl: string, name: string, password: string, localAddress: string): Promise<number> {
  const body = JSON.stringify({ name, password });
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${baseUrl}${CONSOLE_API}/login`,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: TIMEOUT_MS },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new AbuseError(`no answer to a console login within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export async function sprayLogins(o: LoginSprayOptions): Promise<LoginSprayResult> {
  const sprayStatus: Record<string, number> = {};
  let next = 0;
  let legit: Promise<number> | null = null;
  const worker = async (): Promise<void> => {
    while (next < o.attempts) {
      const i = next++;
      const url = (local: string): string => o.baseUrl[isIPv6(local) ? 6 : 4];
      if (i === Math.floor(o.attempts / 2)) legit = postLogin(url(o.legitFrom), o.user, o.password, o.legitFrom);
      const from = o.from[i % o.from.length] ?? '127.0.0.1';
      const status = await postLogin(url(from), o.user, `wrong-password-${i}`, from);
      sprayStatus[status] = (sprayStatus[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  if (legit === null) throw new AbuseError('the spray ended before the right password was tried');
  return { sprayStatus, legitStatus: await legit };
}
