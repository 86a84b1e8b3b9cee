/**
 * One load flow's requests in the browser: an upload is an XMLHttpRequest with a fixed-size
 * body (its upload progress events time the goodput; fetch has none), a download is a fetch
 * whose body is read and dropped as it comes. Each reports the bytes moved so far and ends with
 * what it moved, the refusal the server gave, or the error. Bodies are made once per size and
 * reused: an upload never copies its bytes again.
 */
import type { LoadRefusal } from '../../protocol/api-load.js';

export interface FlowResult {
  /** Bytes moved by this request. */
  bytes: number;
  /** The server's refusal (api-load.ts), or a network error in words; null when it completed. */
  refusal: LoadRefusal | null;
  error: string | null;
}

/** How a session moves load bytes; the page's is `browserLoadTransport`, tests may give their own. */
export interface LoadTransport {
  upload(url: string, bytes: number, onProgress: (moved: number) => void, signal: AbortSignal): Promise<FlowResult>;
  download(url: string, onProgress: (moved: number) => void, signal: AbortSignal): Promise<FlowResult>;
}

function refusalOf(text: string): LoadRefusal | null {
  try {
    const v = JSON.parse(text) as Partial<LoadRefusal>;
    return v.error === 'load-refused' && typeof v.reason === 'string' ? (v as LoadRefusal) : null;
  } catch {
    return null;
  }
}

const bodies = new Map<number, Blob>();

function bodyOf(bytes: number): Blob {
  let b = bodies.get(bytes);
  if (b === undefined) {
    // Not compressible by anything on the way: a pseudo-random pattern, made once.
    const data = new Uint8Array(bytes);
    let x = 0x9e3779b9;
    for (let i = 0; i < bytes; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      data[i] = x & 0xff;
    }
    b = new Blob([data], { type: 'application/octet-stream' });
    bodies.set(bytes, b);
  }
  return b;
}

export const browserLoadTransport: LoadTransport = {
  upload(url, bytes, onProgress, signal) {
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      let moved = 0;
      const done = (r: Omit<FlowResult, 'bytes'>): void => {
        signal.removeEventListener('abort', abort);
        resolve({ bytes: moved, ...r });
      };
      const abort = (): void => xhr.abort();
      xhr.open('POST', url);
      xhr.upload.onprogress = (e) => {
        moved = e.loaded;
        onProgress(moved);
      };
      xhr.onload = () => {
        if (xhr.status === 200) {
          moved = bytes;
          onProgress(moved);
          done({ refusal: null, error: null });
        } else {
          const refusal = refusalOf(xhr.responseText);
          done({ refusal, error: refusal === null ? `HTTP ${xhr.status}` : null });
        }
      };
      xhr.onerror = () => done({ refusal: null, error: 'the upload failed (network error)' });
      xhr.onabort = () => done({ refusal: null, error: null });
      signal.addEventListener('abort', abort);
      if (signal.aborted) {
        done({ refusal: null, error: null });
        return;
      }
      xhr.send(bodyOf(bytes));
    });
  },

  async download(url, onProgress, signal) {
    let moved = 0;
    try {
      const res = await fetch(url, { signal, cache: 'no-store' });
      if (!res.ok) {
        const refusal = refusalOf(await res.text());
        return { bytes: 0, refusal, error: refusal === null ? `HTTP ${res.status}` : null };
      }
      const reader = res.body?.getReader();
      if (!reader) return { bytes: 0, refusal: null, error: 'the download has no body' };
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        moved += value.byteLength;
        onProgress(moved);
      }
      return { bytes: moved, refusal: null, error: null };
    } catch (err) {
      // Aborted by the phase (its stop rule or time cap): what moved counts, and it is no error.
      if (signal.aborted) return { bytes: moved, refusal: null, error: null };
      return { bytes: moved, refusal: null, error: `the download failed: ${(err as Error).message}` };
    }
  },
};
