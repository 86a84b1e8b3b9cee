/**
 * The network the user is on, read in the page after the test (`?network=1`, `run --network`):
 * the connection the browser names (navigator.connection: its type on Android and ChromeOS, its
 * effective type in Chromium; Firefox and Safari tell neither), and a split path: one gathering
 * on the first UDP relay entry, whose relay candidates' related address (and server-reflexive
 * candidates) are the address the relay saw the allocation come from, compared with the address the server saw the
 * page's config request come from (../../analysis/grade/split-path.ts); and, when the relay is
 * offered over both IPv4 and IPv6, each family's round trip and loss to it
 * (../../session/locate/families.ts). Loaded only when asked for; it keeps no address.
 */
import { fetchServerConfig } from '../../session/net/config.js';
import { splitPath } from '../../analysis/grade/split-path.js';
import { measureFamilies } from '../../session/locate/families.js';
import type { NetworkContext } from '../../analysis/schema/network-schema.js';
import type { ServerConfig } from '../../protocol/api.js';

/** How long the relay gathering may take, ms (Chromium on loopback never ends it). */
const GATHER_MS = 3000;

const CONNECTION_TYPES = new Set(['bluetooth', 'cellular', 'ethernet', 'none', 'wifi', 'wimax', 'other', 'unknown']);
const EFFECTIVE_TYPES = new Set(['slow-2g', '2g', '3g', '4g']);

/** What navigator.connection says, where the browser has it. */
function connection(): Pick<NetworkContext, 'connectionType' | 'effectiveType'> {
  const c = (navigator as Navigator & { connection?: { type?: unknown; effectiveType?: unknown } }).connection;
  const type = typeof c?.type === 'string' && CONNECTION_TYPES.has(c.type) ? c.type : null;
  const effective = typeof c?.effectiveType === 'string' && EFFECTIVE_TYPES.has(c.effectiveType) ? c.effectiveType : null;
  return { connectionType: type, effectiveType: effective };
}

/**
 * Runs `gather` with the microphone open when this page may already use it (never asking): a
 * browser shows its own addresses to a page that captures (Chromium otherwise hides the relay
 * candidates' related address as 0.0.0.0). Without that permission, the gathering goes on as it is.
 */
async function withMicrophoneIfGranted<T>(gather: () => Promise<T>): Promise<T> {
  let stream: MediaStream | null = null;
  try {
    const state = await navigator.permissions.query({ name: 'microphone' as PermissionName });
    if (state.state === 'granted') stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (err) {
    // A browser that cannot say (Firefox names no 'microphone' permission before 131): gather as it is.
    console.warn(`callprobe: the microphone's permission could not be read (${err instanceof Error ? err.message : String(err)})`);
  }
  try {
    return await gather();
  } finally {
    for (const t of stream?.getTracks() ?? []) t.stop();
  }
}

/**
 * The addresses the relay saw this device come from: the related address of each relay
 * candidate of one gathering on `cfg`'s first UDP entry, and the server-reflexive candidates
 * from the same host and port (the relay answers STUN Binding too): a browser shows one when it
 * hides the other.
 */
async function mappedAddresses(cfg: ServerConfig): Promise<string[]> {
  const entry = cfg.turn.find((e) => e.transport === 'udp');
  if (entry === undefined) return [];
  const stun = entry.url.replace(/^turns?:/, 'stun:').replace(/\?.*$/, '');
  const pc = new RTCPeerConnection({ iceServers: [{ urls: entry.url, username: cfg.username, credential: cfg.credential }, { urls: stun }] });
  const out: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, GATHER_MS);
      pc.addEventListener('icecandidate', (ev) => {
        if (ev.candidate === null) {
          clearTimeout(timer);
          resolve();
        } else if (ev.candidate.type === 'relay' && ev.candidate.relatedAddress) {
          out.push(ev.candidate.relatedAddress);
        } else if (ev.candidate.type === 'srflx' && ev.candidate.address) {
          out.push(ev.candidate.address);
        }
      });
      pc.createDataChannel('network-check');
      pc.createOffer()
        .then((offer) => pc.setLocalDescription(offer))
        .catch((err: unknown) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        });
    });
  } finally {
    pc.close();
  }
  return out;
}

/** The network the user is on, from the server at `baseUrl` (a hub's first edge when the hub relays nothing itself). */
export async function networkContext(baseUrl: string): Promise<NetworkContext> {
  const cfg = await fetchServerConfig(baseUrl);
  const relayCfg = cfg.turn.length > 0 ? cfg : (cfg.edges?.[0]?.config ?? cfg);
  const mapped = await withMicrophoneIfGranted(() => mappedAddresses(relayCfg));
  const families = await measureFamilies(relayCfg, { createPeerConnection: (c) => new RTCPeerConnection(c), now: () => performance.now() });
  return { ...connection(), splitPath: splitPath(cfg.clientAddress ?? null, mapped), ...(families === null ? {} : { families }) };
}
