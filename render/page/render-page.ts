/**
 * The render page (runs in headless Chromium): loads a head into a HeadScene, then answers
 * each `faceFrame` from its channel with a `renderCrop`: the head rendered over a
 * transparent background, only in the crop of the frame it covers, read back with
 * gl.readPixels straight into a reusable send buffer (rows bottom-up, premultiplied; Node
 * flips and un-premultiplies). Implements the `noggin_render_*` part of the page contract.
 */
import type { RenderPageConfig, RenderPageContract, RenderPageInfo, RenderPageStats } from '../../core/page-contract.js';
import { encodeMessage, RENDER_CROP_HEADER_BYTES, writeRenderCropHeader } from '../../core/protocol.js';
import { connectPageChannel } from '../../core/page-socket.js';
import type { TrackFrame } from '../../core/track.js';
import type { PixelRect, Vec3 } from '../camera-math.js';
import { HeadScene } from './head-scene.js';
import { smoothEdges } from './edge-smooth.js';

declare global {
  interface Window extends RenderPageContract {}
}

let head: HeadScene | null = null;
let socket: WebSocket | null = null;
let config: RenderPageConfig | null = null;
let sendBuffer = new Uint8Array(RENDER_CROP_HEADER_BYTES + 256 * 256 * 4);
let pixels = new Uint8Array(256 * 256 * 4);
let smoothed = new Uint8Array(0);
let luma = new Uint8Array(0);
let failed = false;
const stats = { frames: 0, drawn: 0, renderMs: 0, readMs: 0, sendMs: 0, bytes: 0, resizes: 0 };

function fail(message: string): void {
  if (failed) return;
  failed = true;
  socket?.send(encodeMessage('error', { component: 'render', message, fix: 're-run with --log-level debug' }));
}

function sendEmpty(f: TrackFrame): void {
  writeRenderCropHeader(sendBuffer, { frame: f.frame, timeMs: f.timeMs, x: 0, y: 0, width: 0, height: 0, bottomUp: true, premultiplied: true });
  socket?.send(sendBuffer.subarray(0, RENDER_CROP_HEADER_BYTES));
}

/**
 * Packs the non-transparent span of each row of `px` (w x h RGBA) into `out` after the
 * header: a u16 (first, count) table, then the spans' pixels. Returns the message length.
 * Only the transparent margins are skipped, so this costs one pass over them plus a copy.
 */
function packSpans(px: Uint8Array, w: number, h: number, out: Uint8Array): number {
  const px32 = new Uint32Array(px.buffer, px.byteOffset, w * h);
  const table = new DataView(out.buffer, out.byteOffset + RENDER_CROP_HEADER_BYTES, h * 4);
  let at = RENDER_CROP_HEADER_BYTES + h * 4;
  for (let r = 0; r < h; r++) {
    const base = r * w;
    let x0 = 0;
    while (x0 < w && px32[base + x0] >>> 24 === 0) x0++;
    if (x0 === w) {
      table.setUint32(r * 4, 0, true);
      continue;
    }
    let x1 = w - 1;
    while (px32[base + x1] >>> 24 === 0) x1--;
    const n = x1 - x0 + 1;
    table.setUint16(r * 4, x0, true);
    table.setUint16(r * 4 + 2, n, true);
    out.set(px.subarray((base + x0) * 4, (base + x1 + 1) * 4), at);
    at += n * 4;
  }
  return at;
}

function onFrame(f: TrackFrame): void {
  if (!head || !config || failed) return;
  if (head.contextLost) {
    fail(`webgl: the WebGL context was lost before frame ${f.frame}`);
    return;
  }
  stats.frames++;
  if (!f.face) {
    sendEmpty(f);
    return;
  }
  const crop: PixelRect | null = config.fullFrame
    ? { x: 0, y: 0, width: config.frameWidth, height: config.frameHeight }
    : head.cropFor(f.face.matrix);
  if (!crop) {
    sendEmpty(f);
    return;
  }
  const t0 = performance.now();
  head.setTime(f.timeMs);
  head.setFace(f.face.matrix, f.face.blendshapes);
  head.render(crop);
  const t1 = performance.now();
  const { width: w, height: h } = crop;
  const bytes = w * h * 4;
  if (pixels.length < bytes) pixels = new Uint8Array(Math.ceil(bytes * 1.25));
  if (sendBuffer.length < RENDER_CROP_HEADER_BYTES + h * 4 + bytes) {
    sendBuffer = new Uint8Array(RENDER_CROP_HEADER_BYTES + Math.ceil((h * 4 + bytes) * 1.25));
  }
  head.readPixels(pixels.subarray(0, bytes));
  const t2 = performance.now();
  if (head.contextLost) {
    fail(`webgl: the WebGL context was lost at frame ${f.frame}`);
    return;
  }
  let out = pixels;
  if (config.antialias === 'edges') {
    if (smoothed.length < pixels.length) {
      smoothed = new Uint8Array(pixels.length);
      luma = new Uint8Array(pixels.length / 4);
    }
    smoothEdges(pixels, w, h, smoothed, luma);
    out = smoothed;
  }
  const length = packSpans(out, w, h, sendBuffer);
  writeRenderCropHeader(sendBuffer, { frame: f.frame, timeMs: f.timeMs, ...crop, bottomUp: true, premultiplied: true, layout: 'spans' });
  // A Blob, not the bytes: Chromium then hands the data to the network service without
  // copying it through fresh renderer memory (measured: 9 ms instead of 45-60 ms for 1.6 MB).
  socket?.send(new Blob([sendBuffer.subarray(0, length)]));
  const t3 = performance.now();
  stats.drawn++;
  stats.renderMs += t1 - t0;
  stats.readMs += t2 - t1;
  stats.sendMs += t3 - t2;
  stats.bytes += length - RENDER_CROP_HEADER_BYTES;
}

window.noggin_render_init = async (cfg: RenderPageConfig): Promise<RenderPageInfo> => {
  config = cfg;
  head = new HeadScene({
    antialias: cfg.antialias === 'msaa',
    verticalFovDeg: cfg.verticalFovDeg,
    frameWidth: cfg.frameWidth,
    frameHeight: cfg.frameHeight,
    cropMarginPx: cfg.cropMarginPx,
    cropQuantumPx: cfg.cropQuantumPx,
    maxActiveMorphs: cfg.maxActiveMorphs,
    morphNormals: cfg.morphNormals,
    morphsOn: cfg.morphsOn,
    lighting: cfg.lighting,
    fastMaterials: cfg.fastMaterials,
    vertexLighting: cfg.vertexLighting,
  });
  const info = await head.loadHead(cfg.head);
  const webgl2 = typeof WebGL2RenderingContext !== 'undefined' && head.gl instanceof WebGL2RenderingContext;
  socket = await connectPageChannel(
    cfg.channel,
    (msg) => {
      try {
        if (msg.type === 'faceFrame') onFrame(msg.payload);
      } catch (e) {
        fail(`render: ${(e as Error).message ?? String(e)}`);
      }
    },
    (e) => fail(`render: ${e.message}`),
  );
  return { webgl2, renderer: head.rendererName(), head: info };
};

window.noggin_render_project = async (matrices, pointsCm) => {
  if (!head) throw new Error('render page not initialised');
  return matrices.map((m) => head!.project(m, pointsCm as Vec3[]));
};

window.noggin_render_setHeadVisible = async (visible: boolean): Promise<void> => {
  head?.setHeadVisible(visible);
};

window.noggin_render_setLighting = async (lighting): Promise<void> => {
  head?.setLighting(lighting);
};

window.noggin_render_bench = async (iterations: number, width: number, height: number, withHead: boolean): Promise<number> => {
  if (!head || !config) throw new Error('render page not initialised');
  const buf = new Uint8Array(width * height * 4);
  // A fixed frontal pose 60 cm away, head centred in the crop.
  const m = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, -60, 1];
  head.setFace(m, new Float32Array(52));
  head.setHeadVisible(withHead);
  const crop = { x: Math.max(0, Math.round((config.frameWidth - width) / 2)), y: Math.max(0, Math.round((config.frameHeight - height) / 2)), width, height };
  head.render(crop);
  head.readPixels(buf);
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) {
    head.render(crop);
    head.readPixels(buf);
  }
  const ms = (performance.now() - t0) / iterations;
  head.setHeadVisible(true);
  return ms;
};

window.noggin_render_stats = async (): Promise<RenderPageStats> => ({ ...stats, resizes: head?.resizes ?? 0 });

window.noggin_render_loseContext = async (): Promise<void> => {
  head?.loseContext();
};

window.noggin_render_close = async (): Promise<void> => {
  socket?.close();
  socket = null;
  head?.dispose();
  head = null;
};
