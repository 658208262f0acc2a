/**
 * Full-frame alpha layers from head crops: a small ring of frame buffers, each cleared
 * only where its previous crop was, with the new crop pasted in (straight RGBA rows).
 */
import type { HeadCrop } from './renderer-client.js';

/** A full frame of straight RGBA, transparent outside the last crop pasted. */
export class LayerFrames {
  private readonly buffers: Uint8Array[];
  private readonly last: (HeadCrop | null)[];
  private next = 0;

  /** `count` buffers of width x height (a buffer is reused `count` frames later). */
  constructor(
    readonly width: number,
    readonly height: number,
    count = 2,
  ) {
    this.buffers = Array.from({ length: count }, () => new Uint8Array(width * height * 4));
    this.last = Array.from({ length: count }, () => null);
  }

  /** The next buffer holding just `crop` (or nothing). Valid until `count` more calls. */
  compose(crop: HeadCrop | null): Uint8Array {
    const i = this.next;
    this.next = (i + 1) % this.buffers.length;
    const buf = this.buffers[i];
    const stride = this.width * 4;
    const prev = this.last[i];
    if (prev) {
      const x0 = Math.max(0, prev.x);
      const x1 = Math.min(this.width, prev.x + prev.width);
      for (let y = Math.max(0, prev.y); y < Math.min(this.height, prev.y + prev.height); y++) buf.fill(0, y * stride + x0 * 4, y * stride + x1 * 4);
    }
    this.last[i] = crop;
    if (crop) pasteCrop(buf, this.width, this.height, crop);
    return buf;
  }
}

/** Copies a crop's rows into a full frame (clipped to it). */
export function pasteCrop(frame: Uint8Array, width: number, height: number, c: HeadCrop): void {
  const x0 = Math.max(0, c.x);
  const x1 = Math.min(width, c.x + c.width);
  if (x1 <= x0) return;
  const rowBytes = (x1 - x0) * 4;
  for (let row = 0; row < c.height; row++) {
    const y = c.y + row;
    if (y < 0 || y >= height) continue;
    const from = (row * c.width + (x0 - c.x)) * 4;
    frame.set(c.rgba.subarray(from, from + rowBytes), (y * width + x0) * 4);
  }
}
