/**
 * A background plate for a static camera: for each pixel, the median (by luma) of the
 * sampled frames in which that pixel is well away from the presenter's head and neck.
 * Pixels that no sample saw uncovered are inpainted by reflecting the surrounding plate
 * into the hole, radially from the hole's centre (so a textured background continues as
 * texture instead of a grey blur), and what no ray reaches by push-pull. Frames and plate
 * are the source's own YUV 4:2:0 (a pixel's chroma is its 2x2 block's, the plate's chroma
 * the mean over the block), so no colour conversion is involved and a plate made from
 * identical frames is that frame. Memory: `maxSamples` frames plus one byte mask each.
 */
import type { FaceData } from '../core/track.js';
import { headRegion, type RegionParams, DEFAULT_REGION } from './head-region.js';
import { boundsOf, emptyMask, fillPolygon, rectEmpty } from './mask.js';
import { yuv420Layout, type Yuv420Layout } from './yuv.js';

/** Collects samples and builds the plate. */
export class BackgroundPlateBuilder {
  private readonly frames: Uint8Array[] = [];
  private readonly masks: Uint8Array[] = [];
  private readonly layout: Yuv420Layout;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly maxSamples = 24,
    private readonly region: RegionParams = DEFAULT_REGION,
    /** Extra margin around the head kept out of the plate, fraction of the face height. */
    private readonly margin = 0.18,
  ) {
    this.layout = yuv420Layout(width, height);
  }

  get samples(): number {
    return this.frames.length;
  }

  /** Adds one frame (yuv420p, copied) with its face (null: the whole frame is background). */
  add(yuv: Uint8Array, face: FaceData | null): void {
    if (this.frames.length >= this.maxSamples) return;
    const n = this.width * this.height;
    const frame = yuv.slice(0, this.layout.bytes);
    const mask = new Uint8Array(n);
    if (face) {
      const g = headRegion(face.landmarks, this.width, this.height, this.region);
      // Grow both polygons away from the face centre by the margin.
      const grow = (poly: readonly (readonly [number, number])[]) => {
        let cx = 0;
        let cy = 0;
        for (const [x, y] of poly) {
          cx += x;
          cy += y;
        }
        cx /= poly.length;
        cy /= poly.length;
        const m = g.faceHeight * this.margin;
        return poly.map(([x, y]): [number, number] => {
          const d = Math.hypot(x - cx, y - cy) || 1;
          return [x + ((x - cx) / d) * m, y + ((y - cy) / d) * m];
        });
      };
      const head = grow(g.head);
      const neck = grow(g.neck);
      // The body below the collar moves with the head: keep a wide band under the neck out too.
      const down: [number, number] = [-g.up[0], -g.up[1]];
      const n2 = neck.length - 2;
      const neckBody = [...neck.slice(0, n2), ...neck.slice(n2).map(([x, y]): [number, number] => [x + down[0] * g.faceHeight * 0.3, y + down[1] * g.faceHeight * 0.3])];
      const rect = boundsOf([...head, ...neckBody], 2, this.width, this.height);
      if (!rectEmpty(rect)) {
        const m = emptyMask(rect);
        fillPolygon(m, head);
        fillPolygon(m, neckBody);
        const w = rect.x1 - rect.x0;
        for (let y = rect.y0; y < rect.y1; y++) {
          for (let x = rect.x0; x < rect.x1; x++) if (m.data[(y - rect.y0) * w + x - rect.x0] > 0) mask[y * this.width + x] = 1;
        }
      }
    }
    this.frames.push(frame);
    this.masks.push(mask);
  }

  /** The plate (yuv420p), and the fraction of pixels that had to be inpainted. */
  build(): PlateImage {
    return buildPlateImage({ width: this.width, height: this.height, frames: this.frames, masks: this.masks });
  }

  /** Hands the samples over (for a build elsewhere, e.g. a worker thread); the builder is empty after. */
  takeSamples(): PlateSamples {
    return { width: this.width, height: this.height, frames: this.frames.splice(0), masks: this.masks.splice(0) };
  }
}

/** A built plate: yuv420p, and the fraction of its pixels no sample saw (inpainted). */
export interface PlateImage {
  readonly yuv: Uint8Array;
  readonly inpaintedFraction: number;
}

/** The samples a plate is built from: yuv420p frames and, per frame, a byte per pixel (1: keep out). */
export interface PlateSamples {
  readonly width: number;
  readonly height: number;
  readonly frames: readonly Uint8Array[];
  readonly masks: readonly Uint8Array[];
}

/** Builds the plate from its samples: the median by luma of the pixels they see, the rest inpainted. */
export function buildPlateImage(samples: PlateSamples): PlateImage {
  const { width, height } = samples;
  const L = yuv420Layout(width, height);
  const n = width * height;
  const k = samples.frames.length;
  // Y, U, V per pixel (the fills work on any three linear channels).
  const out = new Float32Array(n * 3);
  const weight = new Float32Array(n);
  // Sort keys luma * 64 + sample: one array sorts by luma, ties by sample (maxSamples <= 64).
  const keys = new Int32Array(k);
  const shift = k <= 64 ? 6 : Math.ceil(Math.log2(k));
  const low = (1 << shift) - 1;
  const frames = samples.frames;
  const masks = samples.masks;
  let holes = 0;
  for (let y = 0; y < height; y++) {
    const crow = (y >> 1) * L.chromaWidth;
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      let c = 0;
      for (let s = 0; s < k; s++) {
        if (masks[s][p]) continue;
        keys[c++] = (frames[s][p] << shift) | s;
      }
      if (c === 0) {
        holes++;
        continue;
      }
      // Median by luma, ties by sample (insertion sort over at most maxSamples keys).
      for (let i = 1; i < c; i++) {
        const key = keys[i];
        let j = i - 1;
        while (j >= 0 && keys[j] > key) {
          keys[j + 1] = keys[j];
          j--;
        }
        keys[j + 1] = key;
      }
      const f = frames[keys[(c - 1) >> 1] & low];
      out[p * 3] = f[p];
      out[p * 3 + 1] = f[L.uOffset + crow + (x >> 1)];
      out[p * 3 + 2] = f[L.vOffset + crow + (x >> 1)];
      weight[p] = 1;
    }
  }
  if (holes > 0 && holes < n) {
    reflectFill(out, weight, width, height);
    pushPull(out, weight, width, height);
  }
  const yuv = new Uint8Array(L.bytes);
  for (let p = 0; p < n; p++) yuv[p] = Math.round(out[p * 3]);
  // Chroma: the mean over each 2x2 block (its pixels inside the frame).
  for (let cy = 0; cy < L.chromaHeight; cy++) {
    for (let cx = 0; cx < L.chromaWidth; cx++) {
      let u = 0;
      let v = 0;
      let m = 0;
      for (let y = 2 * cy; y < Math.min(height, 2 * cy + 2); y++) {
        for (let x = 2 * cx; x < Math.min(width, 2 * cx + 2); x++) {
          const p = y * width + x;
          u += out[p * 3 + 1];
          v += out[p * 3 + 2];
          m++;
        }
      }
      yuv[L.uOffset + cy * L.chromaWidth + cx] = Math.round(u / m);
      yuv[L.vOffset + cy * L.chromaWidth + cx] = Math.round(v / m);
    }
  }
  return { yuv, inpaintedFraction: holes / n };
}

/** What one way of filling gives each hole pixel (in raster order): a colour and how far its source is. */
interface HoleFill {
  /** The three channels per hole pixel. */
  readonly values: Float32Array;
  /** Distance (px) from the pixel to the known plate it mirrors; 0 where it found none. */
  readonly dist: Float32Array;
}

/**
 * Fills holes (pixels of weight < 1; three float channels, RGB or YUV, in place) by
 * reflection, two ways blended per pixel by nearness (1/d^4, so the nearer one all but decides): across the hole's
 * boundary along the ray from the holes' centroid (texture continues outward from the
 * head), and across the ends of the pixel's row within the hole (horizontal structure,
 * walls, shelves, horizons, continues through it). Each pixel thus follows whichever background is nearest: above the head the wall
 * above it, beside the head what is beside it. Pixels neither finds stay holes (weight 0)
 * for push-pull.
 */
export function reflectFill(rgb: Float32Array, w: Float32Array, width: number, height: number): void {
  let holes = 0;
  for (let p = 0; p < w.length; p++) if (w[p] < 1) holes++;
  if (!holes) return;
  const fills = [radialFill(rgb, w, width, height, holes), rowFill(rgb, w, width, height, holes)];
  const filled: number[] = [];
  const values: number[] = [];
  for (let p = 0, k = 0; p < w.length; p++) {
    if (w[p] >= 1) continue;
    let r = 0;
    let g = 0;
    let b = 0;
    let sw = 0;
    for (const f of fills) {
      const d = f.dist[k];
      if (d <= 0) continue;
      const kw = 1 / (d * d * d * d);
      r += f.values[k * 3] * kw;
      g += f.values[k * 3 + 1] * kw;
      b += f.values[k * 3 + 2] * kw;
      sw += kw;
    }
    k++;
    if (!sw) continue;
    filled.push(p);
    values.push(r / sw, g / sw, b / sw);
  }
  // Written after both passes, so every source was the plate as it was seen.
  for (let i = 0; i < filled.length; i++) {
    const p = filled[i];
    rgb[p * 3] = values[i * 3];
    rgb[p * 3 + 1] = values[i * 3 + 1];
    rgb[p * 3 + 2] = values[i * 3 + 2];
    w[p] = 1;
  }
}

/**
 * Radial reflection: a ray from the holes' centroid through the pixel leaves the hole at
 * boundary point q, t pixels away; the pixel takes the plate t pixels beyond q on the same
 * ray (the mirror image across the boundary), averaged over five neighbouring rays to
 * soften streaks. Rays are marched once per angle (about one pixel apart at the frame's
 * edge), not once per hole pixel: a pixel looks up, on its angle's ray, the first known
 * pixel beyond its own distance.
 */
/** Angles (radians) of the five rays a radial fill averages. */
const RAY_SPREAD = [-0.08, -0.04, 0, 0.04, 0.08];

function radialFill(rgb: Float32Array, w: Float32Array, width: number, height: number, holes: number): HoleFill {
  let cx = 0;
  let cy = 0;
  for (let p = 0; p < w.length; p++) {
    if (w[p] >= 1) continue;
    cx += p % width;
    cy += Math.floor(p / width);
  }
  cx /= holes;
  cy /= holes;
  /** Pixel index at (x, y) when known, -1 outside the frame, -2 in a hole. */
  const known = (x: number, y: number): number => {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= width || yi >= height) return -1;
    const q = yi * width + xi;
    return w[q] >= 1 ? q : -2;
  };
  const rays = new AngleRays(cx, cy, Math.hypot(Math.max(cx, width - cx), Math.max(cy, height - cy)) + 2, known);
  const values = new Float32Array(holes * 3);
  const dist = new Float32Array(holes);
  for (let p = 0, k = 0; p < w.length; p++) {
    if (w[p] >= 1) continue;
    const px = p % width;
    const py = Math.floor(p / width);
    const r = Math.hypot(px - cx, py - cy);
    const base = Math.atan2(py - cy, px - cx);
    let sr = 0;
    let sg = 0;
    let sb = 0;
    let st = 0;
    let got = 0;
    for (const da of RAY_SPREAD) {
      const bin = rays.binOf(base + da);
      const s = rays.firstKnownBeyond(bin, r);
      if (s < 0) continue;
      // The boundary is t pixels beyond the pixel on this angle; step from the pixel itself
      // (near rays then stay near: softer streaks, crisper texture), a little further when
      // its own ray leaves the hole later.
      const ux = rays.dirX(bin);
      const uy = rays.dirY(bin);
      let t = Math.max(1, Math.round(s - r));
      let q = known(px + ux * t, py + uy * t);
      for (let extra = 0; q === -2 && extra < 3; extra++) q = known(px + ux * ++t, py + uy * t);
      if (q < 0) continue;
      // Mirror across the boundary; fall back to the boundary pixel itself.
      const m = known(px + ux * 2 * t, py + uy * 2 * t);
      const src = m >= 0 ? m : q;
      sr += rgb[src * 3];
      sg += rgb[src * 3 + 1];
      sb += rgb[src * 3 + 2];
      st += t;
      got++;
    }
    if (got) {
      values[k * 3] = sr / got;
      values[k * 3 + 1] = sg / got;
      values[k * 3 + 2] = sb / got;
      dist[k] = st / got;
    }
    k++;
  }
  return { values, dist };
}

/**
 * Row reflection: each run of hole pixels in a row is filled from both ends, a pixel
 * mirroring the known plate across each end (the end pixel itself when the mirror is not
 * known), the two blended by nearness; a run that reaches the frame's edge uses its other end.
 */
function rowFill(rgb: Float32Array, w: Float32Array, width: number, height: number, holes: number): HoleFill {
  const values = new Float32Array(holes * 3);
  const dist = new Float32Array(holes);
  let k = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; ) {
      if (w[row + x] >= 1) {
        x++;
        continue;
      }
      const a = x;
      let b = x;
      while (b + 1 < width && w[row + b + 1] < 1) b++;
      const left = a > 0;
      const right = b < width - 1;
      for (let p = a; p <= b; p++, k++) {
        if (!left && !right) continue;
        // Mirror across each end; the end pixel itself when the mirror is not known.
        const tl = p - a + 1;
        const tr = b + 1 - p;
        const ml = 2 * a - 1 - p;
        const mr = 2 * b + 1 - p;
        const sl = left ? (ml >= 0 && w[row + ml] >= 1 ? row + ml : row + a - 1) : -1;
        const sr = right ? (mr < width && w[row + mr] >= 1 ? row + mr : row + b + 1) : -1;
        const kl = left ? 1 / tl : 0;
        const kr = right ? 1 / tr : 0;
        const sw = kl + kr;
        for (let c = 0; c < 3; c++) values[k * 3 + c] = ((left ? rgb[sl * 3 + c] * kl : 0) + (right ? rgb[sr * 3 + c] * kr : 0)) / sw;
        dist[k] = Math.min(left ? tl : Infinity, right ? tr : Infinity);
      }
      x = b + 1;
    }
  }
  return { values, dist };
}

/**
 * Rays from a centre, one per angle bin, each marched once in whole-pixel steps: the
 * stretches of steps that land on known pixels, ending where the ray leaves the frame.
 */
class AngleRays {
  private readonly bins: number;
  /** Unit direction per bin. */
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  /** Per bin: offset into `starts`/`ends` and its stretch count. */
  private readonly offset: Int32Array;
  private readonly count: Int32Array;
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  constructor(cx: number, cy: number, maxSteps: number, known: (x: number, y: number) => number) {
    this.bins = Math.max(64, Math.ceil(2 * Math.PI * maxSteps));
    this.cos = new Float64Array(this.bins);
    this.sin = new Float64Array(this.bins);
    for (let b = 0; b < this.bins; b++) {
      const a = (b / this.bins) * 2 * Math.PI;
      this.cos[b] = Math.cos(a);
      this.sin[b] = Math.sin(a);
    }
    this.offset = new Int32Array(this.bins);
    this.count = new Int32Array(this.bins);
    for (let b = 0; b < this.bins; b++) {
      const ux = this.cos[b];
      const uy = this.sin[b];
      this.offset[b] = this.starts.length;
      let inKnown = false;
      for (let s = 0; ; s++) {
        const k = known(cx + ux * s, cy + uy * s);
        if (k === -1) break;
        if (k >= 0 && !inKnown) this.starts.push(s);
        if (k < 0 && inKnown) this.ends.push(s - 1);
        inKnown = k >= 0;
      }
      if (inKnown) this.ends.push(Infinity);
      this.count[b] = this.starts.length - this.offset[b];
    }
  }

  /** The bin of an angle (radians). */
  binOf(angle: number): number {
    const b = Math.round((angle / (2 * Math.PI)) * this.bins) % this.bins;
    return b < 0 ? b + this.bins : b;
  }

  /** Unit direction of a bin: x, y. */
  dirX(bin: number): number {
    return this.cos[bin];
  }

  dirY(bin: number): number {
    return this.sin[bin];
  }

  /** The first whole step beyond distance `r` on a known pixel, or -1 when the ray leaves the frame first. */
  firstKnownBeyond(bin: number, r: number): number {
    const after = Math.floor(r) + 1;
    for (let i = this.offset[bin], end = i + this.count[bin]; i < end; i++) {
      if (this.ends[i] >= after) return Math.max(this.starts[i], after);
    }
    return -1;
  }
}

/**
 * Fills pixels of weight 0 (three float channels, RGB or YUV, in place) from the weighted
 * image at coarser levels (push-pull): each hole takes the bilinear-upsampled coarser level.
 */
export function pushPull(rgb: Float32Array, w: Float32Array, width: number, height: number): void {
  if (width <= 1 && height <= 1) return;
  const cw = Math.max(1, (width + 1) >> 1);
  const ch = Math.max(1, (height + 1) >> 1);
  const crgb = new Float32Array(cw * ch * 3);
  const cwt = new Float32Array(cw * ch);
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      let sr = 0;
      let sg = 0;
      let sb = 0;
      let sw = 0;
      for (let dy = 0; dy < 2; dy++) {
        const yy = 2 * y + dy;
        if (yy >= height) continue;
        for (let dx = 0; dx < 2; dx++) {
          const xx = 2 * x + dx;
          if (xx >= width) continue;
          const p = yy * width + xx;
          const ww = w[p];
          sr += rgb[p * 3] * ww;
          sg += rgb[p * 3 + 1] * ww;
          sb += rgb[p * 3 + 2] * ww;
          sw += ww;
        }
      }
      const q = y * cw + x;
      if (sw > 0) {
        crgb[q * 3] = sr / sw;
        crgb[q * 3 + 1] = sg / sw;
        crgb[q * 3 + 2] = sb / sw;
      }
      cwt[q] = Math.min(1, sw);
    }
  }
  let anyHole = false;
  for (let q = 0; q < cwt.length; q++) if (cwt[q] < 1) anyHole = true;
  if (anyHole && (cw > 1 || ch > 1)) pushPull(crgb, cwt, cw, ch);
  for (let y = 0; y < height; y++) {
    const fy = Math.min(ch - 1, Math.max(0, (y + 0.5) / 2 - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(ch - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const ww = w[p];
      if (ww >= 1) continue;
      const fx = Math.min(cw - 1, Math.max(0, (x + 0.5) / 2 - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(cw - 1, x0 + 1);
      const tx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const a = crgb[(y0 * cw + x0) * 3 + c] * (1 - tx) + crgb[(y0 * cw + x1) * 3 + c] * tx;
        const b = crgb[(y1 * cw + x0) * 3 + c] * (1 - tx) + crgb[(y1 * cw + x1) * 3 + c] * tx;
        const v = a * (1 - ty) + b * ty;
        rgb[p * 3 + c] = rgb[p * 3 + c] * ww + v * (1 - ww);
      }
      w[p] = 1;
    }
  }
}
