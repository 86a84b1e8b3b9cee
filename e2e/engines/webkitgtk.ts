/**
 * WebKitGTK driven over W3C WebDriver (classic, HTTP): Debian's WebKitWebDriver
 * (webkit2gtk-driver) starting MiniBrowser in automation mode, on an Xvfb display of its own.
 * Four requests are all the test needs (new session, navigate, execute script, delete session),
 * so they are written here against the W3C WebDriver specification (§8.1 New Session, §10.1
 * Navigate To, §13.2.1 Execute Script, §8.2 Delete Session) rather than with a client library.
 */
import { connect } from 'node:net';
import { spawnBounded, type ProcessHandle } from '../../test/kit/process.js';
import { waitFor } from '../../test/kit/wait.js';

export const MINIBROWSER_PATH = process.env['CALLPROBE_MINIBROWSER'] ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

class WebDriverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebDriverError';
  }
}

export interface WebKitSession {
  navigate(url: string): Promise<void>;
  /** Runs `body` (a function body: its `return` is the value) in the page. */
  execute<T>(body: string): Promise<T>;
  close(): Promise<void>;
}

async function call<T>(method: 'POST' | 'DELETE', url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const json = (await res.json()) as { value: T | { error: string; message: string } };
  if (!res.ok) throw new WebDriverError(`${method} ${url}: ${JSON.stringify(json.value)}`);
  return json.value as T;
}

/** Whether something accepts a TCP connection on 127.0.0.1:`port` now. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Xvfb on a free display, WebKitWebDriver on `port`, one MiniBrowser session with WebRTC asked for. */
export async function startWebKit(port: number): Promise<{ session: WebKitSession; stop(): Promise<void> }> {
  const xvfb = spawnBounded('Xvfb', ['-displayfd', '1', '-nolisten', 'tcp', '-screen', '0', '1280x800x24'], { deadlineMs: 120_000 });
  let driver: ProcessHandle | null = null;
  try {
    const display = (await xvfb.waitForLine(/^\d+$/, { timeoutMs: 10_000, what: 'Xvfb to pick a display', stream: 'stdout' })).trim();
    driver = spawnBounded('WebKitWebDriver', [`--port=${String(port)}`], { deadlineMs: 120_000, env: { ...process.env, DISPLAY: `:${display}` } });
    const base = `http://127.0.0.1:${String(port)}`;
    // It prints nothing when ready: wait until it accepts a connection.
    await waitFor(() => accepts(port), { timeoutMs: 10_000, what: `WebKitWebDriver to listen on port ${String(port)}` });
    const created = await call<{ sessionId: string }>('POST', `${base}/session`, {
      capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': { binary: MINIBROWSER_PATH, args: ['--automation', '--enable-webrtc=true'] } } },
    });
    const id = created.sessionId;
    const session: WebKitSession = {
      navigate: async (url) => {
        await call('POST', `${base}/session/${id}/url`, { url });
      },
      execute: (body) => call('POST', `${base}/session/${id}/execute/sync`, { script: body, args: [] }),
      close: async () => {
        await call('DELETE', `${base}/session/${id}`);
      },
    };
    const running = driver;
    return {
      session,
      stop: async () => {
        await running.stop();
        await xvfb.stop();
      },
    };
  } catch (err) {
    await driver?.stop();
    await xvfb.stop();
    throw err;
  }
}
