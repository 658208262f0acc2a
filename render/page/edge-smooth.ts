/**
 * Anti-aliasing after readback. Multisampling doubles the render cost on software WebGL.
 * A mascot is made of flat-shaded parts, so its aliasing sits where alpha or brightness
 * jumps: the outline against the footage (what a composite shows most), and the borders
 * of eyes, mouth and brows. Pixels on such a jump (either side) get a 3x3 tent filter of
 * the premultiplied colour, which softens the step over about one pixel; everything else
 * is copied unchanged. Filtering premultiplied colour keeps the result premultiplied.
 */

/** An alpha step (0-255) between 4-neighbours at least this big marks an edge pixel. */
const EDGE_ALPHA_STEP = 48;
/** A luma step (0-255, of premultiplied colour) at least this big marks an edge pixel. */
const EDGE_LUMA_STEP = 40;

/**
 * Writes `src` (w x h premultiplied RGBA) into `dst` with its edges smoothed. `luma` is
 * scratch space of at least w*h bytes. `src` is not modified; `dst` must hold w*h*4 bytes
 * and must not overlap `src`.
 *
 * Only each row's non-zero span (with its neighbours') is examined: outside it every pixel
 * and its neighbours are all-zero, so nothing there is an edge. A head crop's margins are
 * mostly empty, and this pass runs on every rendered frame.
 */
export function smoothEdges(src: Uint8Array, w: number, h: number, dst: Uint8Array, luma: Uint8Array): void {
  const n = w * h;
  dst.set(src.subarray(0, n * 4));
  if (w < 3 || h < 3) return;
  const { first, last } = rowSpans(src, w, h);
  luma.fill(0, 0, n);
  for (let y = 0; y < h; y++) {
    for (let i = y * w + first[y], end = y * w + last[y], o = i * 4; i <= end; i++, o += 4) luma[i] = (2 * src[o] + 5 * src[o + 1] + src[o + 2]) >> 3;
  }
  for (let y = 1; y < h - 1; y++) {
    const x0 = Math.max(1, Math.min(first[y - 1], first[y], first[y + 1]) - 1);
    const x1 = Math.min(w - 2, Math.max(last[y - 1], last[y], last[y + 1]) + 1);
    for (let i = y * w + x0, end = y * w + x1; i <= end; i++) {
      const a = src[i * 4 + 3];
      const l = luma[i];
      if (
        Math.abs(a - src[i * 4 - 1]) >= EDGE_ALPHA_STEP ||
        Math.abs(a - src[i * 4 + 7]) >= EDGE_ALPHA_STEP ||
        Math.abs(a - src[(i - w) * 4 + 3]) >= EDGE_ALPHA_STEP ||
        Math.abs(a - src[(i + w) * 4 + 3]) >= EDGE_ALPHA_STEP ||
        Math.abs(l - luma[i - 1]) >= EDGE_LUMA_STEP ||
        Math.abs(l - luma[i + 1]) >= EDGE_LUMA_STEP ||
        Math.abs(l - luma[i - w]) >= EDGE_LUMA_STEP ||
        Math.abs(l - luma[i + w]) >= EDGE_LUMA_STEP
      ) {
        tent(src, w, i, dst);
      }
    }
  }
}

/** Per row, the first and last pixel that is not all-zero (an empty row: first = w, last = -1). */
function rowSpans(src: Uint8Array, w: number, h: number): { first: Int32Array; last: Int32Array } {
  const bytes = (src.byteOffset & 3) === 0 ? src : src.slice(0, w * h * 4);
  const px = new Uint32Array(bytes.buffer, bytes.byteOffset, w * h);
  const first = new Int32Array(h);
  const last = new Int32Array(h);
  for (let y = 0; y < h; y++) {
    const base = y * w;
    let a = 0;
    while (a < w && px[base + a] === 0) a++;
    let b = w - 1;
    while (b >= a && px[base + b] === 0) b--;
    first[y] = a;
    last[y] = b;
  }
  return { first, last };
}

/** 3x3 tent (1 2 1 / 2 4 2 / 1 2 1) / 16 of the premultiplied RGBA around pixel `i`. */
function tent(src: Uint8Array, w: number, i: number, dst: Uint8Array): void {
  const up = (i - w) * 4;
  const mid = i * 4;
  const down = (i + w) * 4;
  for (let c = 0; c < 4; c++) {
    const s =
      src[up - 4 + c] + 2 * src[up + c] + src[up + 4 + c] +
      2 * src[mid - 4 + c] + 4 * src[mid + c] + 2 * src[mid + 4 + c] +
      src[down - 4 + c] + 2 * src[down + c] + src[down + 4 + c];
    dst[mid + c] = (s + 8) >> 4;
  }
}
