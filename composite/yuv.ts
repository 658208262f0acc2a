/**
 * YUV 4:2:0 frames (8-bit planar: Y, then U, then V; chroma ceil(w/2) x ceil(h/2)) and the
 * colour maths between them and straight RGBA. The compositor works on the decoded YUV
 * frames as they come from the source: only the mascot (RGBA from the renderer) and the
 * contact sheets cross between the two, with the source's own matrix and range.
 */

/** YUV matrix of a source. */
export type YuvMatrix = 'bt601' | 'bt709' | 'bt2020';

/** How a source's YUV values map to RGB. */
export interface YuvColor {
  readonly matrix: YuvMatrix;
  /** Full range (0-255, `color_range=pc`) instead of limited (16-235 luma, 16-240 chroma). */
  readonly fullRange: boolean;
}

/** BT.601 limited range: what an untagged source is taken to be. */
export const DEFAULT_YUV_COLOR: YuvColor = { matrix: 'bt601', fullRange: false };

/**
 * The matrix and range of a source from its probed tags: bt709 when tagged bt709, bt2020
 * when bt2020*, else bt601 (what ffmpeg assumes for untagged video); full range when
 * color_range is pc.
 */
export function yuvColorOf(tags: { readonly colorSpace: string | null; readonly colorRange: string | null }): YuvColor {
  const matrix: YuvMatrix = tags.colorSpace === 'bt709' ? 'bt709' : tags.colorSpace?.startsWith('bt2020') ? 'bt2020' : 'bt601';
  return { matrix, fullRange: tags.colorRange === 'pc' };
}

/** Where the planes of a width x height yuv420p frame lie. */
export interface Yuv420Layout {
  readonly width: number;
  readonly height: number;
  /** Chroma plane size: ceil(width/2) x ceil(height/2). */
  readonly chromaWidth: number;
  readonly chromaHeight: number;
  /** Byte offsets of the U and V planes (Y starts at 0). */
  readonly uOffset: number;
  readonly vOffset: number;
  /** Bytes of one frame. */
  readonly bytes: number;
}

/** The plane layout of a width x height yuv420p frame (odd sizes round the chroma up). */
export function yuv420Layout(width: number, height: number): Yuv420Layout {
  const chromaWidth = (width + 1) >> 1;
  const chromaHeight = (height + 1) >> 1;
  const uOffset = width * height;
  const vOffset = uOffset + chromaWidth * chromaHeight;
  return { width, height, chromaWidth, chromaHeight, uOffset, vOffset, bytes: vOffset + chromaWidth * chromaHeight };
}

const KR_KB: Record<YuvMatrix, readonly [number, number]> = {
  bt601: [0.299, 0.114],
  bt709: [0.2126, 0.0722],
  bt2020: [0.2627, 0.0593],
};

/**
 * The coefficients of one colour: Y = yOff + yr R + yg G + yb B; U = 128 + ur R + ug G + ub B;
 * V = 128 + vr R + vg G + vb B (RGB 0-255); and back, with Y1 = (Y - yOff) * yInv:
 * R = Y1 + rv (V-128); G = Y1 + gu (U-128) + gv (V-128); B = Y1 + bu (U-128).
 */
export interface YuvCoefficients {
  readonly yOff: number;
  readonly yr: number;
  readonly yg: number;
  readonly yb: number;
  readonly ur: number;
  readonly ug: number;
  readonly ub: number;
  readonly vr: number;
  readonly vg: number;
  readonly vb: number;
  readonly yInv: number;
  readonly rv: number;
  readonly gu: number;
  readonly gv: number;
  readonly bu: number;
}

/** The conversion coefficients of a colour (ffmpeg's: luma 219 and chroma 224 steps in limited range, 255 in full). */
export function yuvCoefficients(c: YuvColor): YuvCoefficients {
  const [kr, kb] = KR_KB[c.matrix];
  const kg = 1 - kr - kb;
  const ys = c.fullRange ? 1 : 219 / 255;
  const cs = c.fullRange ? 1 : 224 / 255;
  // Pb = (B - Y') / (2 (1 - kb)), Pr = (R - Y') / (2 (1 - kr)), Y' = kr R + kg G + kb B.
  const pb = cs / (2 * (1 - kb));
  const pr = cs / (2 * (1 - kr));
  return {
    yOff: c.fullRange ? 0 : 16,
    yr: kr * ys,
    yg: kg * ys,
    yb: kb * ys,
    ur: -kr * pb,
    ug: -kg * pb,
    ub: (1 - kb) * pb,
    vr: (1 - kr) * pr,
    vg: -kg * pr,
    vb: -kb * pr,
    yInv: 1 / ys,
    rv: (2 * (1 - kr)) / cs,
    gu: (-2 * (1 - kb) * kb) / (kg * cs),
    gv: (-2 * (1 - kr) * kr) / (kg * cs),
    bu: (2 * (1 - kb)) / cs,
  };
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
}

/**
 * Straight RGBA (alpha ignored) to yuv420p; each chroma sample is the average over its
 * 2x2 block (the pixels of it inside the frame).
 */
export function rgbaToYuv420(rgba: Uint8Array, width: number, height: number, color: YuvColor, out?: Uint8Array): Uint8Array {
  const L = yuv420Layout(width, height);
  const yuv = out ?? new Uint8Array(L.bytes);
  const k = yuvCoefficients(color);
  for (let cy = 0; cy < L.chromaHeight; cy++) {
    for (let cx = 0; cx < L.chromaWidth; cx++) {
      let su = 0;
      let sv = 0;
      let n = 0;
      for (let y = 2 * cy; y < Math.min(height, 2 * cy + 2); y++) {
        for (let x = 2 * cx; x < Math.min(width, 2 * cx + 2); x++) {
          const p = y * width + x;
          const r = rgba[p * 4];
          const g = rgba[p * 4 + 1];
          const b = rgba[p * 4 + 2];
          yuv[p] = clampByte(k.yOff + k.yr * r + k.yg * g + k.yb * b);
          su += k.ur * r + k.ug * g + k.ub * b;
          sv += k.vr * r + k.vg * g + k.vb * b;
          n++;
        }
      }
      const c = cy * L.chromaWidth + cx;
      yuv[L.uOffset + c] = clampByte(128 + su / n);
      yuv[L.vOffset + c] = clampByte(128 + sv / n);
    }
  }
  return yuv;
}

/** yuv420p to straight RGBA (alpha 255), each chroma sample used for its whole 2x2 block. */
export function yuv420ToRgba(yuv: Uint8Array, width: number, height: number, color: YuvColor, out?: Uint8Array): Uint8Array {
  const L = yuv420Layout(width, height);
  const rgba = out ?? new Uint8Array(width * height * 4);
  const k = yuvCoefficients(color);
  for (let y = 0; y < height; y++) {
    const crow = (y >> 1) * L.chromaWidth;
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const c = crow + (x >> 1);
      const l = (yuv[p] - k.yOff) * k.yInv;
      const u = yuv[L.uOffset + c] - 128;
      const v = yuv[L.vOffset + c] - 128;
      rgba[p * 4] = clampByte(l + k.rv * v);
      rgba[p * 4 + 1] = clampByte(l + k.gu * u + k.gv * v);
      rgba[p * 4 + 2] = clampByte(l + k.bu * u);
      rgba[p * 4 + 3] = 255;
    }
  }
  return rgba;
}
