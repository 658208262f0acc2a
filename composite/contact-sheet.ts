/**
 * Contact sheets: one frame per second of the clip, the source beside the result, rows
 * stacked, a few seconds per PNG (OUT.sheet.png, or OUT.sheet-1.png, OUT.sheet-2.png...).
 * Frames come as the source's YUV 4:2:0 and are turned into RGB with its matrix and range.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { tempPathFor } from '../core/track-file.js';
import { encodePng } from './png.js';
import { DEFAULT_YUV_COLOR, yuv420ToRgba, type YuvColor } from './yuv.js';

/** Downscales RGBA by box averaging into a tw x th image. */
export function downscale(rgba: Uint8Array, w: number, h: number, tw: number, th: number): Uint8Array {
  const out = new Uint8Array(tw * th * 4);
  for (let y = 0; y < th; y++) {
    const sy0 = Math.floor((y * h) / th);
    const sy1 = Math.max(sy0 + 1, Math.floor(((y + 1) * h) / th));
    for (let x = 0; x < tw; x++) {
      const sx0 = Math.floor((x * w) / tw);
      const sx1 = Math.max(sx0 + 1, Math.floor(((x + 1) * w) / tw));
      let r = 0;
      let g = 0;
      let b = 0;
      let n = 0;
      for (let sy = sy0; sy < sy1; sy++) {
        for (let sx = sx0; sx < sx1; sx++) {
          const p = (sy * w + sx) * 4;
          r += rgba[p];
          g += rgba[p + 1];
          b += rgba[p + 2];
          n++;
        }
      }
      const q = (y * tw + x) * 4;
      out[q] = Math.round(r / n);
      out[q + 1] = Math.round(g / n);
      out[q + 2] = Math.round(b / n);
      out[q + 3] = 255;
    }
  }
  return out;
}

/** Collects the sheet's cells while frames go by. */
export class ContactSheet {
  readonly cellW: number;
  readonly cellH: number;
  private readonly rows: { index: number; src: Uint8Array; out: Uint8Array | null }[] = [];
  private readonly picks: Set<number>;
  /** RGBA of the frame being added (reused). */
  private rgba: Uint8Array | null = null;

  constructor(
    readonly width: number,
    readonly height: number,
    fps: number,
    frameCount: number,
    private readonly color: YuvColor = DEFAULT_YUV_COLOR,
    cellHeight = 360,
    private readonly rowsPerSheet = 6,
  ) {
    this.cellH = Math.min(height, cellHeight);
    this.cellW = Math.max(2, Math.round((width * this.cellH) / height));
    this.picks = new Set();
    for (let s = 0; ; s++) {
      const i = Math.round(s * fps);
      if (i >= frameCount) break;
      this.picks.add(i);
    }
  }

  /** True when frame `index` goes on the sheet. */
  wants(index: number): boolean {
    return this.picks.has(index);
  }

  /** Records the source of a picked frame (yuv420p, before compositing). */
  addSource(index: number, yuv: Uint8Array): void {
    this.rows.push({ index, src: this.cell(yuv), out: null });
  }

  /** Records the result of a picked frame (yuv420p). */
  addResult(index: number, yuv: Uint8Array): void {
    const r = this.rows.find((x) => x.index === index);
    if (r) r.out = this.cell(yuv);
  }

  private cell(yuv: Uint8Array): Uint8Array {
    this.rgba = yuv420ToRgba(yuv, this.width, this.height, this.color, this.rgba ?? undefined);
    return downscale(this.rgba, this.width, this.height, this.cellW, this.cellH);
  }

  /** Writes the sheets next to `output` (OUT.mp4 -> OUT.sheet.png...); returns their paths. */
  async write(output: string): Promise<string[]> {
    const base = output.replace(/\.[^./\\]+$/, '');
    const rows = this.rows.filter((r) => r.out);
    const sheets = Math.ceil(rows.length / this.rowsPerSheet);
    const paths: string[] = [];
    const gap = 4;
    for (let s = 0; s < sheets; s++) {
      const part = rows.slice(s * this.rowsPerSheet, (s + 1) * this.rowsPerSheet);
      const W = this.cellW * 2 + gap;
      const H = part.length * this.cellH + (part.length - 1) * gap;
      const img = new Uint8Array(W * H * 4).fill(255);
      part.forEach((r, k) => {
        const top = k * (this.cellH + gap);
        for (let y = 0; y < this.cellH; y++) {
          img.set(r.src.subarray(y * this.cellW * 4, (y + 1) * this.cellW * 4), ((top + y) * W) * 4);
          img.set(r.out!.subarray(y * this.cellW * 4, (y + 1) * this.cellW * 4), ((top + y) * W + this.cellW + gap) * 4);
        }
      });
      const path = sheets === 1 ? `${base}.sheet.png` : `${base}.sheet-${s + 1}.png`;
      const tmp = tempPathFor(path);
      try {
        await writeFile(tmp, encodePng(img, W, H));
        await rename(tmp, path);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
      paths.push(path);
    }
    return paths;
  }
}
