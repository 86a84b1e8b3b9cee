/**
 * The video phase's synthetic camera (src/session/video/phase.ts): a 1280x720 canvas redrawn 30
 * times a second with new noise, captured as a track. A still or smooth picture compresses to
 * almost nothing and would measure the encoder, not the path: blocks of random colour (4x4
 * pixels, from a 320x180 field of noise scaled up without smoothing) give the encoder far more
 * than the 4.5 Mbit/s it is capped at, at a small cost to make. The track's content hint is
 * `detail` (W3C mst-content-hint): under pressure the browser keeps the 720p resolution and
 * gives up frame rate, so the rate measured is the path's, not a smaller picture's.
 */
import type { VideoSource } from '../session/video/phase.js';

const WIDTH = 1280;
const HEIGHT = 720;
const BLOCK = 4;
const FPS = 30;

export function openNoiseVideo(): VideoSource {
  const canvas = document.createElement('canvas');
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  const ctx = canvas.getContext('2d');
  const small = document.createElement('canvas');
  small.width = WIDTH / BLOCK;
  small.height = HEIGHT / BLOCK;
  const sctx = small.getContext('2d');
  if (ctx === null || sctx === null) throw new Error('this browser gives no 2D canvas');
  ctx.imageSmoothingEnabled = false;
  const image = sctx.createImageData(small.width, small.height);
  const words = new Uint32Array(image.data.buffer);
  // xorshift32 (Marsaglia, "Xorshift RNGs", 2003): fast, and randomness of this quality is plenty for noise.
  let x = (Date.now() | 1) >>> 0;
  const draw = (): void => {
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = (x | 0xff000000) >>> 0;
    }
    sctx.putImageData(image, 0, 0);
    ctx.drawImage(small, 0, 0, WIDTH, HEIGHT);
  };
  draw();
  const stream = canvas.captureStream(FPS);
  const track = stream.getVideoTracks()[0];
  if (track === undefined) throw new Error('the canvas gave no video track');
  track.contentHint = 'detail';
  const timer = setInterval(draw, 1000 / FPS);
  return {
    track,
    stop: () => {
      clearInterval(timer);
      track.stop();
    },
  };
}
