/**
 * Exact frame timing for a QuickTime .mov / MP4 written by ffmpeg from a constant-rate pipe:
 * the video track's sample durations (`stts`) are rewritten from the source's frame times,
 * so frame k is shown at the source's frame k time even for variable-frame-rate sources
 * (other tracks, such as copied audio, keep their timing). The
 * `moov` box must be the file's last box (ffmpeg's default, no faststart): it is rebuilt
 * in memory and written back in place of the old one; media data offsets do not move.
 */
import { open } from 'node:fs/promises';

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'edts']);

interface Box {
  readonly type: string;
  /** Whole box bytes, header included. */
  readonly bytes: Buffer;
  readonly headerSize: number;
}

function readBoxes(buf: Buffer): Box[] {
  const out: Box[] = [];
  let at = 0;
  while (at + 8 <= buf.length) {
    let size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    let header = 8;
    if (size === 1) {
      size = Number(buf.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) size = buf.length - at;
    if (size < header || at + size > buf.length) throw new Error(`bad box ${type} at ${at}`);
    out.push({ type, bytes: buf.subarray(at, at + size), headerSize: header });
    at += size;
  }
  return out;
}

function box(type: string, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(8 + payload.length, 0);
  h.write(type, 4, 'latin1');
  return Buffer.concat([h, payload]);
}

/** Per-frame durations in `timescale` units from frame times (ms), the last one `lastMs`. */
export function frameDurations(timesMs: readonly number[], lastMs: number, timescale: number): number[] {
  const ticks = timesMs.map((t) => Math.round((t * timescale) / 1000));
  const out: number[] = [];
  for (let i = 0; i < ticks.length; i++) {
    const next = i + 1 < ticks.length ? ticks[i + 1] : ticks[i] + Math.max(1, Math.round((lastMs * timescale) / 1000));
    out.push(Math.max(1, next - ticks[i]));
  }
  return out;
}

function sttsPayload(durations: readonly number[]): Buffer {
  const runs: [number, number][] = [];
  for (const d of durations) {
    const last = runs[runs.length - 1];
    if (last && last[1] === d) last[0]++;
    else runs.push([1, d]);
  }
  const p = Buffer.alloc(8 + runs.length * 8);
  p.writeUInt32BE(0, 0);
  p.writeUInt32BE(runs.length, 4);
  runs.forEach(([n, d], i) => {
    p.writeUInt32BE(n, 8 + i * 8);
    p.writeUInt32BE(d, 12 + i * 8);
  });
  return p;
}

/** Writes a duration field (32-bit in version 0 boxes, 64-bit in version 1) at `at` of `p`. */
function writeDuration(p: Buffer, version: number, at: number, value: number): void {
  if (version === 1) p.writeBigUInt64BE(BigInt(Math.round(value)), at);
  else p.writeUInt32BE(Math.min(0xffffffff, Math.round(value)), at);
}

/**
 * Rewrites the video track's sample durations of `movPath` to follow `timesMs` (one per
 * frame, from 0). Returns false (file untouched) when the layout is not the expected one.
 */
export async function retimeMov(movPath: string, timesMs: readonly number[], lastFrameMs: number): Promise<boolean> {
  const fh = await open(movPath, 'r+');
  try {
    const { size } = await fh.stat();
    // Walk the top-level boxes to find moov.
    let at = 0;
    let moovAt = -1;
    let moovSize = 0;
    const head = Buffer.alloc(16);
    while (at + 8 <= size) {
      await fh.read(head, 0, 16, at);
      let s = head.readUInt32BE(0);
      const type = head.toString('latin1', 4, 8);
      if (s === 1) s = Number(head.readBigUInt64BE(8));
      else if (s === 0) s = size - at;
      if (s < 8) return false;
      if (type === 'moov') {
        moovAt = at;
        moovSize = s;
      }
      at += s;
    }
    if (moovAt < 0 || moovAt + moovSize !== size) return false;
    const moov = Buffer.alloc(moovSize);
    await fh.read(moov, 0, moovSize, moovAt);
    let movieTimescale = 1000;
    let mediaTimescale = 0;
    let total = 0;
    let videoTracks = 0;
    // First pass: timescales.
    for (const b of readBoxes(moov.subarray(8))) {
      if (b.type === 'mvhd') movieTimescale = b.bytes.readUInt32BE(b.headerSize + (b.bytes[b.headerSize] === 1 ? 20 : 12));
    }
    const rebuild = (buf: Buffer, path: string): Buffer => {
      const parts: Buffer[] = [];
      for (const b of readBoxes(buf)) {
        const payload = Buffer.from(b.bytes.subarray(b.headerSize));
        if (b.type === 'trak' && handlerOf(payload) !== 'vide') {
          parts.push(box(b.type, payload)); // audio and other tracks keep their timing
          continue;
        }
        if (CONTAINERS.has(b.type)) {
          parts.push(box(b.type, rebuild(payload, `${path}/${b.type}`)));
          continue;
        }
        if (b.type === 'mdhd') {
          const v = payload[0];
          mediaTimescale = payload.readUInt32BE(v === 1 ? 20 : 12);
          const durations = frameDurations(timesMs, lastFrameMs, mediaTimescale);
          total = durations.reduce((a, d) => a + d, 0);
          writeDuration(payload, v, v === 1 ? 24 : 16, total);
        } else if (b.type === 'stts') {
          if (!mediaTimescale) throw new Error('stts before mdhd');
          const count = readSttsCount(payload);
          if (count !== timesMs.length) throw new Error(`the layer has ${count} frames, the track ${timesMs.length}`);
          videoTracks++;
          parts.push(box('stts', sttsPayload(frameDurations(timesMs, lastFrameMs, mediaTimescale))));
          continue;
        }
        parts.push(box(b.type, payload));
      }
      return Buffer.concat(parts);
    };
    let inner = rebuild(moov.subarray(8), 'moov');
    if (videoTracks !== 1 || !total) return false;
    // Second pass: movie-timescale durations (mvhd, tkhd, elst).
    const movieDuration = (total / mediaTimescale) * movieTimescale;
    const patch = (buf: Buffer): Buffer => {
      const parts: Buffer[] = [];
      for (const b of readBoxes(buf)) {
        const payload = Buffer.from(b.bytes.subarray(b.headerSize));
        if (b.type === 'trak' && handlerOf(payload) !== 'vide') {
          parts.push(box(b.type, payload));
          continue;
        }
        if (CONTAINERS.has(b.type)) {
          parts.push(box(b.type, patch(payload)));
          continue;
        }
        const v = payload[0];
        if (b.type === 'mvhd') {
          const was = v === 1 ? Number(payload.readBigUInt64BE(24)) : payload.readUInt32BE(16);
          writeDuration(payload, v, v === 1 ? 24 : 16, Math.max(was, movieDuration));
        }
        else if (b.type === 'tkhd') writeDuration(payload, v, v === 1 ? 28 : 20, movieDuration);
        else if (b.type === 'elst' && payload.readUInt32BE(4) === 1) writeDuration(payload, v, 8, movieDuration);
        parts.push(box(b.type, payload));
      }
      return Buffer.concat(parts);
    };
    inner = patch(inner);
    const out = box('moov', inner);
    await fh.write(out, 0, out.length, moovAt);
    await fh.truncate(moovAt + out.length);
    return true;
  } finally {
    await fh.close();
  }
}

/** The handler type of a trak's media ('vide', 'soun', ...), or null. */
function handlerOf(trak: Buffer): string | null {
  const mdia = readBoxes(trak).find((b) => b.type === 'mdia');
  if (!mdia) return null;
  const hdlr = readBoxes(mdia.bytes.subarray(mdia.headerSize)).find((b) => b.type === 'hdlr');
  return hdlr ? hdlr.bytes.toString('latin1', hdlr.headerSize + 8, hdlr.headerSize + 12) : null;
}

function readSttsCount(p: Buffer): number {
  const n = p.readUInt32BE(4);
  let count = 0;
  for (let i = 0; i < n; i++) count += p.readUInt32BE(8 + i * 8);
  return count;
}
