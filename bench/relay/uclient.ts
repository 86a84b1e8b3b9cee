/** turnutils_uclient's end-of-run summary (coturn's load client), read by the relay bench and the interop tests. */
export interface UclientSummary {
  sent: number;
  received: number;
  lostPct: number;
}

/** The summary from uclient's output, or null when it printed none (it failed before the end). */
export function parseUclient(output: string): UclientSummary | null {
  const m = /start_mclient: tot_send_msgs=(\d+), tot_recv_msgs=(\d+)/.exec(output);
  const l = /Total lost packets \d+ \(([\d.]+)%\)/.exec(output);
  return m && l ? { sent: Number(m[1]), received: Number(m[2]), lostPct: Number(l[1]) } : null;
}

export interface UclientLoad {
  /** Messages per session (-n). */
  messages: number;
  /** Sessions (-m). */
  sessions: number;
  /** Message length in bytes (-l). */
  lengthBytes: number;
  /** Pause between messages in ms (-z); uclient's own default when absent. */
  intervalMs?: number;
  /** turnutils_peer's port on 127.0.0.1 (-e 127.0.0.1 -r PORT). */
  peerPort: number;
  /** The relay's port on 127.0.0.1 (-p). */
  relayPort: number;
  /** REST secret (-W) and user name (-u); absent for a client without credentials. */
  auth?: { secret: string; user: string };
  /** Mode flags first: -c (no RTCP pairs), -t (TCP), -T (TCP relay, RFC 6062). */
  flags?: readonly string[];
}

/** turnutils_uclient's argument list for `load` against the relay on 127.0.0.1 (loopback only). */
export function uclientArgs(load: UclientLoad): string[] {
  return [
    ...(load.flags ?? []),
    '-n',
    String(load.messages),
    '-m',
    String(load.sessions),
    '-l',
    String(load.lengthBytes),
    ...(load.intervalMs === undefined ? [] : ['-z', String(load.intervalMs)]),
    '-e',
    '127.0.0.1',
    '-r',
    String(load.peerPort),
    ...(load.auth ? ['-W', load.auth.secret, '-u', load.auth.user] : []),
    '-p',
    String(load.relayPort),
    '127.0.0.1',
  ];
}
