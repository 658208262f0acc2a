/**
 * One output frame: the presenter's head and neck region is replaced by the background
 * plate (soft-edged), then the mascot layer goes over it with straight alpha; the mascot's
 * neck stub fades out at the presenter's collar. Frames without a face get only the layer
 * (normally nothing, so they pass through untouched).
 */
import type { FaceData } from '../core/track.js';
import { headRegion, DEFAULT_REGION, type HeadRegion, type RegionParams } from './head-region.js';
import { boundsOf, emptyMask, feather, fillPolygon, rectEmpty, type Mask } from './mask.js';

/** A straight-alpha RGBA rectangle of the frame (same shape as render's HeadCrop). */
export interface LayerCrop {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

/** The bounding crop of the non-transparent pixels of a full-frame RGBA layer, or null. */
export function cropFromLayerFrame(rgba: Uint8Array, width: number, height: number): LayerCrop | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width * 4;
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++) {
      if (rgba[row + x * 4 + 3] !== 0) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) continue;
    if (first < x0) x0 = first;
    if (last > x1) x1 = last;
    if (y < y0) y0 = y;
    y1 = y;
  }
  if (x1 < 0) return null;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) out.set(rgba.subarray(((y0 + y) * width + x0) * 4, ((y0 + y) * width + x1 + 1) * 4), y * w * 4);
  return { x: x0, y: y0, width: w, height: h, rgba: out };
}

/** Options of the frame compositor. */
export interface ComposeOptions {
  readonly region?: RegionParams;
  /** Fade the layer out below the collar (default true). */
  readonly collarFade?: boolean;
}

/** What one composed frame did (for stats and tests). */
export interface ComposeInfo {
  readonly region: HeadRegion | null;
  readonly hidden: Mask | null;
}

/** Composes one frame in place: `frame` (RGBA, width x height) becomes the output. */
export function composeFrame(
  frame: Uint8Array,
  width: number,
  height: number,
  face: FaceData | null,
  crop: LayerCrop | null,
  plate: Uint8Array | null,
  opts: ComposeOptions = {},
): ComposeInfo {
  let g: HeadRegion | null = null;
  let hidden: Mask | null = null;
  if (face) {
    g = headRegion(face.landmarks, width, height, opts.region ?? DEFAULT_REGION);
    const rect = boundsOf([...g.head, ...g.neck], g.featherPx * 3 + 2, width, height);
    if (!rectEmpty(rect) && plate) {
      hidden = emptyMask(rect);
      fillPolygon(hidden, g.head);
      fillPolygon(hidden, g.neck);
      feather(hidden, g.featherPx);
      const w = rect.x1 - rect.x0;
      const m = hidden.data;
      for (let y = rect.y0; y < rect.y1; y++) {
        let i = (y - rect.y0) * w;
        let p = (y * width + rect.x0) * 4;
        for (let x = rect.x0; x < rect.x1; x++, i++, p += 4) {
          const a = m[i];
          if (a <= 0.002) continue;
          if (a >= 0.998) {
            frame[p] = plate[p];
            frame[p + 1] = plate[p + 1];
            frame[p + 2] = plate[p + 2];
          } else {
            frame[p] = (frame[p] + (plate[p] - frame[p]) * a + 0.5) | 0;
            frame[p + 1] = (frame[p + 1] + (plate[p + 1] - frame[p + 1]) * a + 0.5) | 0;
            frame[p + 2] = (frame[p + 2] + (plate[p + 2] - frame[p + 2]) * a + 0.5) | 0;
          }
        }
      }
    }
  }
  if (crop) overLayer(frame, width, height, crop, g, opts.collarFade ?? true);
  return { region: g, hidden };
}

/** Straight-alpha "over" of the crop onto the frame, fading below the collar when a region is given. */
function overLayer(frame: Uint8Array, width: number, height: number, c: LayerCrop, g: HeadRegion | null, collarFade: boolean): void {
  const x0 = Math.max(0, c.x);
  const y0 = Math.max(0, c.y);
  const x1 = Math.min(width, c.x + c.width);
  const y1 = Math.min(height, c.y + c.height);
  const fade = collarFade && g !== null;
  const dx = g ? -g.up[0] : 0;
  const dy = g ? -g.up[1] : 0;
  const cx = g ? g.chin[0] : 0;
  const cy = g ? g.chin[1] : 0;
  const depth = g ? g.collarDepth : 0;
  const band = g ? 2 * g.featherPx : 1;
  const src = c.rgba;
  for (let y = y0; y < y1; y++) {
    let s = ((y - c.y) * c.width + (x0 - c.x)) * 4;
    let p = (y * width + x0) * 4;
    for (let x = x0; x < x1; x++, s += 4, p += 4) {
      let a = src[s + 3];
      if (a === 0) continue;
      if (fade) {
        const t = (x + 0.5 - cx) * dx + (y + 0.5 - cy) * dy;
        if (t > depth - band) {
          const k = (depth + band - t) / (2 * band);
          if (k <= 0) continue;
          if (k < 1) a = a * k;
        }
      }
      if (a >= 255) {
        frame[p] = src[s];
        frame[p + 1] = src[s + 1];
        frame[p + 2] = src[s + 2];
      } else {
        const k = a / 255;
        frame[p] = (frame[p] + (src[s] - frame[p]) * k + 0.5) | 0;
        frame[p + 1] = (frame[p + 1] + (src[s + 1] - frame[p + 1]) * k + 0.5) | 0;
        frame[p + 2] = (frame[p + 2] + (src[s + 2] - frame[p + 2]) * k + 0.5) | 0;
      }
    }
  }
}
