/**
 * One output frame, composed in the source's own YUV 4:2:0: the presenter's head and neck
 * region is replaced by the background plate (soft-edged), then the mascot layer goes over
 * it with straight alpha; the mascot's neck stub fades out at the presenter's collar.
 * Blending is linear, so it works on Y, U and V as on R, G and B: luma per pixel, chroma per
 * 2x2 block with the mask (or alpha) averaged over the block. Only the mascot's RGBA crop is
 * converted, inside the crop; the rest of the frame is never touched, so frames without a
 * face (and no layer) pass through bit-exact.
 */
import type { RenderCropData } from '../core/protocol.js';
import type { FaceData } from '../core/track.js';
import { FeatherMask } from './feather-mask.js';
import { headRegion, DEFAULT_REGION, type HeadRegion, type RegionParams } from './head-region.js';
import { boundsOf, rectEmpty } from './mask.js';
import { DEFAULT_YUV_COLOR, yuv420Layout, yuvCoefficients, type Yuv420Layout, type YuvCoefficients, type YuvColor } from './yuv.js';

/** A straight-alpha RGBA rectangle of the frame (same shape as render's HeadCrop). */
export interface LayerCrop {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

/**
 * A head layer as the render page sends it (RenderCropData without its frame and time): RGB
 * premultiplied or not, rows bottom-up or not, every pixel or only each row's span between
 * its first and last drawn pixel. Composited as it is, with no conversion first.
 */
export type PageLayer = Omit<RenderCropData, 'frame' | 'timeMs'>;

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
}

/** Mask values at or below this leave a pixel alone; at or above 1 minus it take the plate. */
const MASK_EPS = 0.002;

/**
 * Composes the frames of one video (yuv420p, width x height) in place, with the video's
 * background plate (yuv420p, or null) and colour; keeps its working buffers between frames.
 */
export class FrameCompositor {
  private readonly layout: Yuv420Layout;
  private readonly k: YuvCoefficients;
  private readonly mask = new FeatherMask();
  /** Per chroma column of the rows in hand: summed weight, and weighted U and V. */
  private readonly sumA: Float32Array;
  private readonly sumU: Float32Array;
  private readonly sumV: Float32Array;
  /** Per layer row (top-down): first pixel, pixel count and byte offset of its pixels. */
  private rowX0 = new Int32Array(0);
  private rowN = new Int32Array(0);
  private rowAt = new Int32Array(0);

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly plate: Uint8Array | null,
    color: YuvColor = DEFAULT_YUV_COLOR,
    private readonly opts: ComposeOptions = {},
  ) {
    this.layout = yuv420Layout(width, height);
    this.k = yuvCoefficients(color);
    this.sumA = new Float32Array(this.layout.chromaWidth);
    this.sumU = new Float32Array(this.layout.chromaWidth);
    this.sumV = new Float32Array(this.layout.chromaWidth);
  }

  /** Composes one frame in place: `frame` (yuv420p) becomes the output. */
  compose(frame: Uint8Array, face: FaceData | null, crop: LayerCrop | PageLayer | null): ComposeInfo {
    let g: HeadRegion | null = null;
    if (face) {
      g = headRegion(face.landmarks, this.width, this.height, this.opts.region ?? DEFAULT_REGION);
      const rect = boundsOf([...g.head, ...g.neck], g.featherPx * 3 + 2, this.width, this.height);
      if (!rectEmpty(rect) && this.plate) {
        this.mask.build([g.head, g.neck], g.featherPx, rect);
        this.hide(frame, this.plate);
      }
    }
    if (crop) this.over(frame, crop, (this.opts.collarFade ?? true) ? g : null);
    return { region: g };
  }

  /** Blends the plate into the frame under the mask: luma per pixel, chroma per 2x2 block. */
  private hide(frame: Uint8Array, plate: Uint8Array): void {
    const { width, height } = this;
    const L = this.layout;
    const { x0, y0, x1, y1 } = this.mask.rect;
    const cx0 = x0 >> 1;
    const cx1 = (x1 + 1) >> 1;
    const sum = this.sumA;
    for (let cy = y0 >> 1; cy < (y1 + 1) >> 1; cy++) {
      sum.fill(0, cx0, cx1);
      for (let y = Math.max(y0, 2 * cy); y < Math.min(y1, 2 * cy + 2); y++) {
        const m = this.mask.row(y);
        // Only the part of the row the mask reaches.
        const i1 = this.mask.hi;
        let p = y * width + x0 + this.mask.lo;
        for (let i = this.mask.lo, x = x0 + i; i < i1; x++, i++, p++) {
          const a = m[i];
          sum[x >> 1] += a;
          if (a <= MASK_EPS) continue;
          if (a >= 1 - MASK_EPS) frame[p] = plate[p];
          else frame[p] = (frame[p] + (plate[p] - frame[p]) * a + 0.5) | 0;
        }
      }
      // Pixels of the block in the frame (odd sizes: the last blocks are smaller).
      const rows = Math.min(2, height - 2 * cy);
      const crow = cy * L.chromaWidth;
      for (let cx = cx0; cx < cx1; cx++) {
        const a = sum[cx] / (rows * Math.min(2, width - 2 * cx));
        if (a <= MASK_EPS) continue;
        const u = L.uOffset + crow + cx;
        const v = L.vOffset + crow + cx;
        if (a >= 1 - MASK_EPS) {
          frame[u] = plate[u];
          frame[v] = plate[v];
        } else {
          frame[u] = (frame[u] + (plate[u] - frame[u]) * a + 0.5) | 0;
          frame[v] = (frame[v] + (plate[v] - frame[v]) * a + 0.5) | 0;
        }
      }
    }
  }

  /** Fills the row tables for a layer; returns its pixels and whether RGB is premultiplied. */
  private layerRows(c: LayerCrop | PageLayer): { src: Uint8Array; premultiplied: boolean } {
    const h = c.height;
    if (this.rowX0.length < h) {
      this.rowX0 = new Int32Array(h);
      this.rowN = new Int32Array(h);
      this.rowAt = new Int32Array(h);
    }
    if ('rgba' in c) {
      for (let r = 0; r < h; r++) {
        this.rowX0[r] = 0;
        this.rowN[r] = c.width;
        this.rowAt[r] = r * c.width * 4;
      }
      return { src: c.rgba, premultiplied: false };
    }
    const d = c.data;
    if (c.layout === 'spans') {
      let at = h * 4;
      for (let k = 0; k < h; k++) {
        const r = c.bottomUp ? h - 1 - k : k;
        this.rowX0[r] = d[k * 4] | (d[k * 4 + 1] << 8);
        this.rowN[r] = d[k * 4 + 2] | (d[k * 4 + 3] << 8);
        this.rowAt[r] = at;
        at += this.rowN[r] * 4;
      }
    } else {
      for (let k = 0; k < h; k++) {
        const r = c.bottomUp ? h - 1 - k : k;
        this.rowX0[r] = 0;
        this.rowN[r] = c.width;
        this.rowAt[r] = k * c.width * 4;
      }
    }
    return { src: d, premultiplied: c.premultiplied };
  }

  /**
   * "Over" of the layer, converted to YUV pixel by pixel (straight or premultiplied RGB),
   * fading below the collar when a region is given. Each chroma block takes the
   * alpha-weighted mean of the layer's chroma with the block's mean alpha: what 4:4:4
   * composing then 2x2 averaging gives.
   */
  private over(frame: Uint8Array, c: LayerCrop | PageLayer, g: HeadRegion | null): void {
    const { width, height, k } = this;
    const L = this.layout;
    const x0 = Math.max(0, c.x);
    const y0 = Math.max(0, c.y);
    const x1 = Math.min(width, c.x + c.width);
    const y1 = Math.min(height, c.y + c.height);
    if (x1 <= x0 || y1 <= y0) return;
    const { src, premultiplied } = this.layerRows(c);
    const { rowX0, rowN, rowAt } = this;
    const dx = g ? -g.up[0] : 0;
    const dy = g ? -g.up[1] : 0;
    const gcx = g ? g.chin[0] : 0;
    const gcy = g ? g.chin[1] : 0;
    const depth = g ? g.collarDepth : 0;
    const band = g ? 2 * g.featherPx : 1;
    const cx0 = x0 >> 1;
    const cx1 = (x1 + 1) >> 1;
    const { sumA, sumU, sumV } = this;
    for (let cy = y0 >> 1; cy < (y1 + 1) >> 1; cy++) {
      sumA.fill(0, cx0, cx1);
      sumU.fill(0, cx0, cx1);
      sumV.fill(0, cx0, cx1);
      for (let y = Math.max(y0, 2 * cy); y < Math.min(y1, 2 * cy + 2); y++) {
        const r = y - c.y;
        const from = Math.max(x0, c.x + rowX0[r]);
        const to = Math.min(x1, c.x + rowX0[r] + rowN[r]);
        let s = rowAt[r] + (from - c.x - rowX0[r]) * 4;
        let p = y * width + from;
        for (let x = from; x < to; x++, s += 4, p++) {
          const alpha = src[s + 3];
          if (alpha === 0) continue;
          // f: the collar fade; a: the pixel's coverage after it.
          let f = 1;
          if (g) {
            const t = (x + 0.5 - gcx) * dx + (y + 0.5 - gcy) * dy;
            if (t > depth - band) {
              f = (depth + band - t) / (2 * band);
              if (f <= 0) continue;
              if (f > 1) f = 1;
            }
          }
          const a = (alpha / 255) * f;
          // Straight RGB weighs by the coverage; premultiplied RGB carries its alpha already.
          const w = premultiplied ? f : a;
          const rr = src[s] * w;
          const gg = src[s + 1] * w;
          const bb = src[s + 2] * w;
          const ly = a * k.yOff + k.yr * rr + k.yg * gg + k.yb * bb;
          frame[p] = a >= 1 ? (ly + 0.5) | 0 : (frame[p] * (1 - a) + ly + 0.5) | 0;
          const i = x >> 1;
          sumA[i] += a;
          sumU[i] += k.ur * rr + k.ug * gg + k.ub * bb;
          sumV[i] += k.vr * rr + k.vg * gg + k.vb * bb;
        }
      }
      const rows = Math.min(2, height - 2 * cy);
      const crow = cy * L.chromaWidth;
      for (let cx = cx0; cx < cx1; cx++) {
        const sa = sumA[cx];
        if (sa === 0) continue;
        const n = rows * Math.min(2, width - 2 * cx);
        const a = sa / n;
        const u = L.uOffset + crow + cx;
        const v = L.vOffset + crow + cx;
        // 128 + mean of a * (U - 128) over the block, the rest from the frame.
        frame[u] = clampByte(frame[u] * (1 - a) + 128 * a + sumU[cx] / n);
        frame[v] = clampByte(frame[v] * (1 - a) + 128 * a + sumV[cx] / n);
      }
    }
  }
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
}

/**
 * Composes one yuv420p frame in place (a one-off `FrameCompositor`; use the class for a
 * whole video, it keeps its buffers).
 */
export function composeFrame(
  frame: Uint8Array,
  width: number,
  height: number,
  face: FaceData | null,
  crop: LayerCrop | null,
  plate: Uint8Array | null,
  opts: ComposeOptions = {},
  color: YuvColor = DEFAULT_YUV_COLOR,
): ComposeInfo {
  return new FrameCompositor(width, height, plate, color, opts).compose(frame, face, crop);
}
