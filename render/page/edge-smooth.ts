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
 */
export function smoothEdges(src: Uint8Array, w: number, h: number, dst: Uint8Array, luma: Uint8Array): void {
  const n = w * h;
  dst.set(src.subarray(0, n * 4));
  if (w < 3 || h < 3) return;
  for (let i = 0, o = 0; i < n; i++, o += 4) luma[i] = (2 * src[o] + 5 * src[o + 1] + src[o + 2]) >> 3;
  for (let y = 1; y < h - 1; y++) {
    for (let i = y * w + 1, end = y * w + w - 1; i < end; i++) {
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
