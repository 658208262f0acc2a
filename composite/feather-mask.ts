/**
 * The compositor's soft head-and-neck mask: the union of polygons, feathered like
 * `feather` (three box blurs of radius round(featherPx / 2)) at a third of the cost.
 * A wide feather is built at half resolution (each cell the coverage of its 2x2 pixels,
 * so edges keep their sub-cell position), blurred there with radii that give the same
 * spread, and read back bilinearly one row at a time; a narrow one (small faces, small
 * rectangles) is blurred at full resolution. Buffers are kept between frames.
 */
import { polygonRowSpans, type Pt, type Rect } from './mask.js';

/** Values at most this are zero (what running sums leave behind). */
const ZERO = 1e-5;

/** Full-resolution box radius from which the mask is built at half resolution. */
export const HALF_RES_MIN_RADIUS = 3;

/**
 * The half-resolution blur that spreads as far as three full-resolution boxes of radius r:
 * per axis their variance is r(r+1) full pixels squared, of which the 2x2 averaging and the
 * bilinear read-back give about 0.9; the rest comes from three equal "extended" boxes
 * (radius s plus end taps of weight alpha, Gwosdek et al. 2011) in half-resolution pixels.
 */
export function halfResBox(r: number): { radius: number; alpha: number } {
  const v = Math.max(0, (r * (r + 1) - 0.25 - 2 / 3) / 12);
  // Largest whole box not wider than wanted (variance s(s+1)/3), then the end taps' weight.
  const s = Math.max(0, Math.floor((Math.sqrt(1 + 12 * v) - 1) / 2));
  const sum2 = (s * (s + 1) * (2 * s + 1)) / 3;
  const alpha = Math.max(0, Math.min(1, (v * (2 * s + 1) - sum2) / (2 * (s + 1) ** 2 - 2 * v)));
  return { radius: s, alpha };
}

/** A feathered mask over a rectangle of the frame, rebuilt per frame in reused buffers. */
export class FeatherMask {
  private rectNow: Rect = { x0: 0, y0: 0, x1: 0, y1: 0 };
  private half = false;
  /** The grid: its first pixel (frame coordinates) and its size in cells (pixels at full resolution). */
  private gx0 = 0;
  private gy0 = 0;
  private gw = 0;
  private gh = 0;
  private grid = new Float64Array(0);
  private tmp = new Float64Array(0);
  private acc = new Float64Array(0);
  private vrow = new Float64Array(0);
  private out = new Float32Array(0);
  /** Per grid row: the cells [lo, hi) outside which it is zero. */
  private rowLo = new Int32Array(0);
  private rowHi = new Int32Array(0);
  private readonly xs: number[] = [];
  private readonly spans: number[] = [];
  private readonly merged: number[] = [];

  /** The rectangle the mask covers. */
  get rect(): Rect {
    return this.rectNow;
  }

  /** After `row`: the x offsets [lo, hi) in the rect outside which that row is zero. */
  lo = 0;
  hi = 0;

  /** Builds the feathered union of `polys` over `rect` (non-empty). */
  build(polys: readonly (readonly Pt[])[], featherPx: number, rect: Rect): void {
    const r = Math.max(0, Math.round(featherPx / 2));
    const half = r >= HALF_RES_MIN_RADIUS;
    this.half = half;
    this.rectNow = rect;
    // At half resolution the grid reaches a cell beyond the rect all round, filled with the
    // rect's edge pixels repeated: the full-resolution blur's edge rule, so the two agree at
    // the edges. Where the mask is not zero at an edge (the frame cut the rect there), a
    // cell holding an edge pixel and one beyond it would blur that rule, so the cells line
    // up with the rect's start when it is at 0, else with its end (a rect whose padding
    // fits in the frame is zero at its edges).
    this.gx0 = half ? cellStart(rect.x0, rect.x1) - 2 : rect.x0;
    this.gy0 = half ? cellStart(rect.y0, rect.y1) - 2 : rect.y0;
    this.gw = half ? (rect.x1 + 3 - this.gx0) >> 1 : rect.x1 - rect.x0;
    this.gh = half ? (rect.y1 + 3 - this.gy0) >> 1 : rect.y1 - rect.y0;
    const gw = this.gw;
    const n = gw * this.gh;
    if (this.grid.length < n) {
      this.grid = new Float64Array(n);
      this.tmp = new Float64Array(n);
    }
    if (this.acc.length < gw) {
      this.acc = new Float64Array(gw);
      this.vrow = new Float64Array(gw);
    }
    if (this.out.length < rect.x1 - rect.x0) this.out = new Float32Array(rect.x1 - rect.x0);
    const g = this.grid;
    g.fill(0, 0, n);
    const px0 = this.gx0;
    const px1 = half ? px0 + 2 * gw : rect.x1;
    const py1 = half ? this.gy0 + 2 * this.gh : rect.y1;
    let spansOf = -1;
    let spans: number[] = [];
    for (let y = this.gy0; y < py1; y++) {
      const sy = Math.min(rect.y1 - 1, Math.max(rect.y0, y));
      if (sy !== spansOf) {
        spans = this.rowUnion(polys, sy, rect.x0, rect.x1);
        spansOf = sy;
      }
      const row = (half ? (y - this.gy0) >> 1 : y - this.gy0) * gw;
      for (let k = 0; k < spans.length; k += 2) {
        let x = (spans[k] === rect.x0 ? px0 : spans[k]) - px0;
        const b = (spans[k + 1] === rect.x1 ? px1 : spans[k + 1]) - px0;
        if (!half) {
          g.fill(1, row + x, row + b);
          continue;
        }
        // Each pixel adds a quarter to its cell.
        if (x & 1) g[row + (x++ >> 1)] += 0.25;
        for (; x + 1 < b; x += 2) g[row + (x >> 1)] += 0.5;
        if (x < b) g[row + (x >> 1)] += 0.25;
      }
    }
    const box = half ? halfResBox(r) : { radius: r, alpha: 0 };
    if (box.radius > 0 || box.alpha > 0) {
      const gh = this.gh;
      const xEdges = [rect.x0 - this.gx0, rect.x1 - 1 - this.gx0] as const;
      const yEdges = [rect.y0 - this.gy0, rect.y1 - 1 - this.gy0] as const;
      for (let pass = 0; pass < 3; pass++) {
        // The full-resolution blur repeats the rect's edge pixels of what the previous pass
        // left: the cells beyond the edges get that value (the first pass has it already).
        if (half && pass > 0) refreshMargins(g, gw, gh, 1, gw, xEdges);
        boxRows(g, this.tmp, gw, gh, box.radius, box.alpha);
        if (half && pass > 0) refreshMargins(this.tmp, gh, gw, gw, 1, yEdges);
        boxColumns(this.tmp, g, gw, gh, box.radius, box.alpha, this.acc);
      }
    }
    // Where each row is not zero: most of the rect is outside the head, and callers skip it.
    if (this.rowLo.length < this.gh) {
      this.rowLo = new Int32Array(this.gh);
      this.rowHi = new Int32Array(this.gh);
    }
    for (let j = 0; j < this.gh; j++) {
      const b = j * gw;
      let lo = 0;
      let hi = gw;
      while (lo < gw && g[b + lo] <= ZERO) g[b + lo++] = 0;
      while (hi > lo && g[b + hi - 1] <= ZERO) g[b + --hi] = 0;
      this.rowLo[j] = lo;
      this.rowHi[j] = hi > lo ? hi : 0;
    }
  }

  /**
   * Mask values of frame row y (rect.y0 <= y < rect.y1) at x = rect.x0 .. rect.x1 - 1 (zero
   * outside [lo, hi), which it sets); the array is reused by the next call.
   */
  row(y: number): Float32Array {
    const { x0, x1 } = this.rectNow;
    const w = x1 - x0;
    const gw = this.gw;
    const g = this.grid;
    const out = this.out;
    let lo: number;
    let hi: number;
    if (!this.half) {
      const j = y - this.gy0;
      lo = this.rowLo[j];
      hi = this.rowHi[j];
      const base = j * gw;
      for (let x = lo; x < hi; x++) out[x] = g[base + x];
    } else {
      // Cell centres sit between pixel pairs: weights 3/4 for the pixel's own cell and 1/4
      // for the next one on its side (the grid's margin keeps both inside).
      const ry = y - this.gy0;
      const k = ry >> 1;
      const ja = ry & 1 ? k : k - 1;
      const wa = ry & 1 ? 0.75 : 0.25;
      const cLo = Math.min(this.rowLo[ja], this.rowLo[ja + 1]);
      const cHi = Math.max(this.rowHi[ja], this.rowHi[ja + 1]);
      // Pixels that read a cell in [cLo, cHi).
      const off = x0 - this.gx0;
      lo = Math.max(0, 2 * cLo - 1 - off);
      hi = cHi > cLo ? Math.min(w, 2 * cHi + 1 - off) : 0;
      if (hi > lo) {
        const v = this.vrow;
        const ra = ja * gw;
        const rb = (ja + 1) * gw;
        for (let i = Math.max(0, cLo - 1); i < Math.min(gw, cHi + 1); i++) v[i] = g[ra + i] * wa + g[rb + i] * (1 - wa);
        for (let x = lo, rx = lo + off; x < hi; x++, rx++) {
          const i = rx >> 1;
          out[x] = rx & 1 ? v[i] * 0.75 + v[i + 1] * 0.25 : v[i - 1] * 0.25 + v[i] * 0.75;
        }
      }
    }
    if (hi <= lo) lo = hi = 0;
    out.fill(0, 0, lo);
    out.fill(0, hi, w);
    this.lo = lo;
    this.hi = hi;
    return out;
  }

  /** The merged spans of row y of the polygons' union. */
  private rowUnion(polys: readonly (readonly Pt[])[], y: number, x0: number, x1: number): number[] {
    const spans = this.spans;
    spans.length = 0;
    for (const p of polys) polygonRowSpans(p, y, x0, x1, this.xs, spans);
    if (spans.length <= 2) return spans;
    // Few spans per row: insertion sort by start, then merge overlaps.
    for (let i = 2; i < spans.length; i += 2) {
      const a = spans[i];
      const b = spans[i + 1];
      let j = i - 2;
      while (j >= 0 && spans[j] > a) {
        spans[j + 2] = spans[j];
        spans[j + 3] = spans[j + 1];
        j -= 2;
      }
      spans[j + 2] = a;
      spans[j + 3] = b;
    }
    const m = this.merged;
    m.length = 0;
    for (let i = 0; i < spans.length; i += 2) {
      if (m.length && spans[i] <= m[m.length - 1]) m[m.length - 1] = Math.max(m[m.length - 1], spans[i + 1]);
      else m.push(spans[i], spans[i + 1]);
    }
    return m;
  }
}

/** The first pixel of the first cell over [a0, a1): a0 when it is 0, else one that puts a cell edge at a1. */
function cellStart(a0: number, a1: number): number {
  return a0 === 0 ? 0 : a0 - ((a1 - a0) & 1);
}

/**
 * Sets the cells of a half-resolution grid beyond (and straddling) the rect's two edge
 * pixels along one axis to the value at each edge pixel, extrapolated linearly from the
 * two nearest cells wholly inside. `len` cells along the axis (step `step`), `lines` lines
 * (step `lineStep`); `edges`: the first and last inside pixel, in grid pixels.
 */
function refreshMargins(g: Float64Array, len: number, lines: number, step: number, lineStep: number, edges: readonly [number, number]): void {
  const [lo, hi] = edges;
  // First and last cells wholly inside, and the edge pixels' centres in cell units.
  const first = (lo + 1) >> 1;
  const last = ((hi + 1) >> 1) - 1;
  if (last - first < 1) return;
  const tLo = (lo + 0.5) / 2 - 0.5 - first;
  const tHi = (hi + 0.5) / 2 - 0.5 - last;
  for (let l = 0; l < lines; l++) {
    const b = l * lineStep;
    const f0 = g[b + first * step];
    const f1 = g[b + (first + 1) * step];
    const vLo = Math.min(1, Math.max(0, f0 + (f1 - f0) * tLo));
    for (let i = 0; i < first; i++) g[b + i * step] = vLo;
    const l0 = g[b + last * step];
    const l1 = g[b + (last - 1) * step];
    const vHi = Math.min(1, Math.max(0, l0 - (l1 - l0) * tHi));
    for (let i = last + 1; i < len; i++) g[b + i * step] = vHi;
  }
}

/**
 * Box blur along each row (edges repeat the outermost value): src -> dst. Radius r, plus
 * one tap each side of weight alpha (0 for a plain box).
 */
function boxRows(src: Float64Array, dst: Float64Array, w: number, h: number, r: number, alpha: number): void {
  const inv = 1 / (2 * r + 1 + 2 * alpha);
  const last = w - 1;
  const at = (b: number, i: number) => src[b + (i < 0 ? 0 : i > last ? last : i)];
  for (let y = 0; y < h; y++) {
    const b = y * w;
    let acc = src[b] * (r + 1);
    for (let k = 1; k <= r; k++) acc += at(b, k);
    // Away from the ends (r+1 <= i < w-r-1) no index needs clamping.
    const inner0 = Math.min(w, r + 1);
    const inner1 = Math.max(inner0, w - r - 1);
    let i = 0;
    for (; i < inner0; i++) {
      dst[b + i] = (acc + alpha * (at(b, i - r - 1) + at(b, i + r + 1))) * inv;
      acc += at(b, i + r + 1) - at(b, i - r);
    }
    for (; i < inner1; i++) {
      const hi = src[b + i + r + 1];
      dst[b + i] = (acc + alpha * (src[b + i - r - 1] + hi)) * inv;
      acc += hi - src[b + i - r];
    }
    for (; i < w; i++) {
      dst[b + i] = (acc + alpha * (at(b, i - r - 1) + at(b, i + r + 1))) * inv;
      acc += at(b, i + r + 1) - at(b, i - r);
    }
  }
}

/** The same blur along each column, row by row (sequential memory): src -> dst. */
function boxColumns(src: Float64Array, dst: Float64Array, w: number, h: number, r: number, alpha: number, acc: Float64Array): void {
  const inv = 1 / (2 * r + 1 + 2 * alpha);
  const last = h - 1;
  const rowAt = (j: number) => (j < 0 ? 0 : j > last ? last : j) * w;
  for (let x = 0; x < w; x++) acc[x] = src[x] * (r + 1);
  for (let k = 1; k <= r; k++) {
    const b = rowAt(k);
    for (let x = 0; x < w; x++) acc[x] += src[b + x];
  }
  for (let y = 0; y < h; y++) {
    const o = y * w;
    const add = rowAt(y + r + 1);
    const sub = rowAt(y - r);
    if (alpha > 0) {
      const lo = rowAt(y - r - 1);
      for (let x = 0; x < w; x++) {
        dst[o + x] = (acc[x] + alpha * (src[lo + x] + src[add + x])) * inv;
        acc[x] += src[add + x] - src[sub + x];
      }
    } else {
      for (let x = 0; x < w; x++) {
        dst[o + x] = acc[x] * inv;
        acc[x] += src[add + x] - src[sub + x];
      }
    }
  }
}
