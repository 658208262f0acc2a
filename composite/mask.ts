/**
 * Soft masks over a rectangle of the frame: polygons filled with even-odd scanlines,
 * feathered with a separable box blur (three passes ~ Gaussian). Values in [0,1].
 */

/** An axis-aligned rectangle of frame pixels [x0,x1) x [y0,y1). */
export interface Rect {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** A point in frame pixels. */
export type Pt = readonly [number, number];

/** A mask of rect's size (row-major). */
export interface Mask {
  readonly rect: Rect;
  readonly data: Float32Array;
}

/** Bounds of points grown by `pad`, clipped to a width x height frame (may be empty). */
export function boundsOf(points: readonly Pt[], pad: number, width: number, height: number): Rect {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [x, y] of points) {
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (x > x1) x1 = x;
    if (y > y1) y1 = y;
  }
  return {
    x0: Math.max(0, Math.floor(x0 - pad)),
    y0: Math.max(0, Math.floor(y0 - pad)),
    x1: Math.min(width, Math.ceil(x1 + pad)),
    y1: Math.min(height, Math.ceil(y1 + pad)),
  };
}

export function rectEmpty(r: Rect): boolean {
  return r.x1 <= r.x0 || r.y1 <= r.y0;
}

/**
 * Pushes onto `out` the [a, b) pixel spans of row `y` whose pixel centres lie inside `poly`
 * (even-odd), clipped to [x0, x1). `xs` is scratch.
 */
export function polygonRowSpans(poly: readonly Pt[], y: number, x0: number, x1: number, xs: number[], out: number[]): void {
  const cy = y + 0.5;
  const n = poly.length;
  let m = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const pi = poly[i];
    const pj = poly[j];
    const yi = pi[1];
    const yj = pj[1];
    if (yi > cy === yj > cy) continue;
    const x = pi[0] + ((cy - yi) / (yj - yi)) * (pj[0] - pi[0]);
    // Insertion sort: a row crosses a few edges.
    let k = m++;
    while (k > 0 && xs[k - 1] > x) {
      xs[k] = xs[k - 1];
      k--;
    }
    xs[k] = x;
  }
  for (let k = 0; k + 1 < m; k += 2) {
    const a = Math.max(x0, Math.ceil(xs[k] - 0.5));
    const b = Math.min(x1, Math.ceil(xs[k + 1] - 0.5));
    if (b > a) out.push(a, b);
  }
}

/** Fills `poly` (pixel centres inside, even-odd) with 1 into `m` (union with what is there). */
export function fillPolygon(m: Mask, poly: readonly Pt[]): void {
  const { rect, data } = m;
  const w = rect.x1 - rect.x0;
  const xs: number[] = [];
  const spans: number[] = [];
  for (let y = rect.y0; y < rect.y1; y++) {
    spans.length = 0;
    polygonRowSpans(poly, y, rect.x0, rect.x1, xs, spans);
    const row = (y - rect.y0) * w;
    for (let k = 0; k < spans.length; k += 2) for (let x = spans[k]; x < spans[k + 1]; x++) data[row + x - rect.x0] = 1;
  }
}

function boxPass(src: Float32Array, dst: Float32Array, len: number, count: number, stride: number, step: number, r: number): void {
  const inv = 1 / (2 * r + 1);
  for (let line = 0; line < count; line++) {
    const base = line * stride;
    let acc = 0;
    // Edges clamp to the outermost value.
    for (let k = -r; k <= r; k++) acc += src[base + Math.min(len - 1, Math.max(0, k)) * step];
    for (let i = 0; i < len; i++) {
      dst[base + i * step] = acc * inv;
      const add = Math.min(len - 1, i + r + 1);
      const sub = Math.max(0, i - r);
      acc += src[base + add * step] - src[base + sub * step];
    }
  }
}

/**
 * Feathers a mask in place: three box blurs of radius r/2 (the soft edge reaches ~1.5 r
 * each side). The reference the compositor's faster `FeatherMask` (feather-mask.ts) follows.
 */
export function feather(m: Mask, radius: number): void {
  const r = Math.max(0, Math.round(radius / 2));
  if (r === 0) return;
  const w = m.rect.x1 - m.rect.x0;
  const h = m.rect.y1 - m.rect.y0;
  if (w <= 0 || h <= 0) return;
  const tmp = new Float32Array(m.data.length);
  for (let pass = 0; pass < 3; pass++) {
    boxPass(m.data, tmp, w, h, w, 1, r);
    boxPass(tmp, m.data, h, w, 1, w, r);
  }
}

/** A zero mask over `rect`. */
export function emptyMask(rect: Rect): Mask {
  return { rect, data: new Float32Array(Math.max(0, rect.x1 - rect.x0) * Math.max(0, rect.y1 - rect.y0)) };
}

/** Value of a mask at frame pixel (x, y); 0 outside its rect. */
export function maskAt(m: Mask, x: number, y: number): number {
  const { rect } = m;
  if (x < rect.x0 || y < rect.y0 || x >= rect.x1 || y >= rect.y1) return 0;
  return m.data[(y - rect.y0) * (rect.x1 - rect.x0) + x - rect.x0];
}
