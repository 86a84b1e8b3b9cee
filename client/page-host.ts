/**
 * `callprobe run --turn URI` without a callprobe server: the test page still has to come from
 * somewhere. This small host serves the built page (with the headers it needs: its CSP and
 * cross-origin isolation, host/page.ts) and GET /api/config naming the given TURN server, on
 * loopback only, for one test. No relay, no reflector, no store: the page runs in loopback mode
 * through someone else's relay, and the TURN credentials reach it only through the headless
 * runner's override, never over HTTP (this /api/config hands out none).
 */
import Fastify from 'fastify';
import { SIGNAL_PROTOCOL, type ServerConfig, type TurnServerEntry } from '../src/protocol/api.js';
import { addPageHeaders, servePageFiles } from '../host/page.js';

export interface PageHostOptions {
  /** The built page (host/package.ts builtPageDir()). */
  webRoot: string;
  /** callprobe's version, as /api/config states it. */
  version: string;
  /** The TURN servers /api/config names (credentials left out). */
  turn: TurnServerEntry[];
  /** Told when the page is not built (the test then cannot load it). */
  warn(line: string): void;
}

export interface PageHost {
  /** http://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
}

/** Starts the page host on 127.0.0.1 and a port the system picks. */
export async function hostPage(o: PageHostOptions): Promise<PageHost> {
  const app = Fastify({ logger: false });
  addPageHeaders(app, o.webRoot);
  if (!(await servePageFiles(app, o.webRoot))) o.warn(`page not built (${o.webRoot}): run \`npm run build\``);
  const config: ServerConfig = {
    callprobeVersion: o.version,
    username: '',
    credential: '',
    credentialExpiresAtMs: 0,
    turn: o.turn,
    notOffered: [],
    reflectorPath: null,
    rtpReflector: false,
    relay: 'external',
    signalProtocol: SIGNAL_PROTOCOL,
  };
  app.get('/api/config', async (): Promise<ServerConfig> => config);
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
  } catch (err) {
    await app.close();
    throw err;
  }
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') {
    await app.close();
    throw new Error('the page host has no TCP address');
  }
  return { url: `http://127.0.0.1:${addr.port}`, close: () => app.close() };
}
