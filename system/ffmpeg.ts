/**
 * The one module that talks to ffmpeg/ffprobe: probing a video (size after rotation, frame
 * rate, frame timestamps, colour tags) and streaming its decoded frames (raw RGBA, raw
 * YUV 4:2:0 or JPEG) with each frame's presentation time. Frame-exact: one output frame
 * per decoded frame (`-fps_mode passthrough`), rotation metadata applied, variable frame
 * rate kept.
 */
import { stat } from 'node:fs/promises';
import { NogginError } from '../core/errors.js';
import { log } from '../core/log.js';
import { ManagedChild, runToCompletion } from './child-process.js';
import { findFfmpeg, findFfprobe } from './tools.js';

/** Largest accepted frame side in px. */
export const MAX_VIDEO_SIDE = 8192;

/** What noggin needs to know about a video before decoding it. */
export interface VideoInfo {
  readonly path: string;
  /** Upright width in px (rotation applied). */
  readonly width: number;
  /** Upright height in px (rotation applied). */
  readonly height: number;
  /** Stored (coded) width and height in px, before rotation. */
  readonly codedWidth: number;
  readonly codedHeight: number;
  /** Rotation metadata in degrees (counter-clockwise display rotation, 0/90/180/270). */
  readonly rotationDeg: number;
  /** Average frames per second. */
  readonly fps: number;
  /** True when frame intervals vary by more than 10%. */
  readonly variableFrameRate: boolean;
  /** Number of video frames (packets) in the stream. */
  readonly frameCount: number;
  /** Frame count the container declares, when it does. */
  readonly declaredFrameCount: number | null;
  /** Presentation times in ms from the first frame, sorted (one per frame). */
  readonly frameTimesMs: Float64Array;
  /** Absolute pts (s) of the first frame, for mapping ffmpeg's pts_time back. */
  readonly startPtsSec: number;
  /**
   * The container's start time (s): ffmpeg measures an input `-ss` from it, not from 0
   * (MOV edit lists and streams cut from a longer file start later than 0).
   */
  readonly containerStartSec: number;
  /** Duration in ms. */
  readonly durationMs: number;
  readonly codec: string;
  readonly hasAudio: boolean;
  /** The video stream's colour matrix and range tags (ffprobe's names), null when untagged. */
  readonly colorSpace: string | null;
  readonly colorRange: string | null;
}

function notVideo(path: string, why: string): NogginError {
  return new NogginError('capture', `${path} is not a readable video (${why})`, 'give a video file (MP4, MOV, MKV, WebM...) that plays in a video player');
}

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string;
  duration?: string;
  start_time?: string;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string };
  color_space?: string;
  color_range?: string;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
}

function parseRate(r: string | undefined): number {
  if (!r) return 0;
  const [a, b] = r.split('/').map(Number);
  return b ? a / b : a || 0;
}

/** Probes a video; throws a NogginError for a missing, empty, non-video or oversized file. */
export async function probeVideo(path: string): Promise<VideoInfo> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new NogginError('capture', `${path} is not a file`, 'give the path of a video file');
    size = s.size;
  } catch (e) {
    if (e instanceof NogginError) throw e;
    throw new NogginError('capture', `${path} does not exist`, 'check the path of the video');
  }
  if (size === 0) throw new NogginError('capture', `${path} is empty (0 bytes)`, 'give a complete video file');
  const ffprobe = findFfprobe();
  const meta = await runToCompletion('ffprobe', ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path], 60000);
  if (meta.exit.state !== 'exited') throw notVideo(path, meta.exit.stderrTail.trim().split('\n').pop() || 'ffprobe failed');
  let parsed: { streams?: ProbeStream[]; format?: { duration?: string; start_time?: string } };
  try {
    parsed = JSON.parse(meta.stdout);
  } catch {
    throw notVideo(path, 'ffprobe output unreadable');
  }
  const streams = parsed.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!v) {
    const audio = streams.some((s) => s.codec_type === 'audio');
    throw new NogginError('capture', `${path} has no video stream${audio ? ' (it is audio only)' : ''}`, 'give a video file with a picture');
  }
  const codedWidth = v.width ?? 0;
  const codedHeight = v.height ?? 0;
  if (!codedWidth || !codedHeight) throw notVideo(path, 'video stream has no size');
  if (codedWidth > MAX_VIDEO_SIDE || codedHeight > MAX_VIDEO_SIDE) {
    throw new NogginError('capture', `${path} is ${codedWidth}x${codedHeight}, larger than noggin handles (${MAX_VIDEO_SIDE} px per side)`, `scale it down first, e.g. \`ffmpeg -i IN -vf scale=1920:-2 OUT.mp4\``);
  }
  const sideRot = v.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  const rot = (((Math.round(-(sideRot ?? -Number(v.tags?.rotate ?? 0))) % 360) + 360) % 360);
  const swap = rot === 90 || rot === 270;

  // Packet timestamps: one per frame, sorted = presentation order (demux only, no decode).
  const pk = await runToCompletion(
    'ffprobe',
    ffprobe,
    ['-v', 'error', '-select_streams', streamSelector(streams, v), '-show_entries', 'packet=pts_time,dts_time', '-of', 'csv=p=0', path],
    120000,
  );
  const times: number[] = [];
  for (const line of pk.stdout.split('\n')) {
    if (!line) continue;
    const [pts, dts] = line.split(',');
    const t = Number(pts !== 'N/A' && pts !== '' ? pts : dts);
    if (Number.isFinite(t)) times.push(t);
  }
  times.sort((a, b) => a - b);
  if (times.length === 0) throw notVideo(path, 'no video frames');
  const start = times[0];
  const frameTimesMs = Float64Array.from(times, (t) => (t - start) * 1000);
  const avg = parseRate(v.avg_frame_rate) || parseRate(v.r_frame_rate);
  let fps = avg;
  let vfr = false;
  if (times.length > 2) {
    const span = (times[times.length - 1] - start) / (times.length - 1);
    if (!fps || !Number.isFinite(fps)) fps = 1 / span;
    const diffs = times.slice(1).map((t, i) => t - times[i]).sort((a, b) => a - b);
    const med = diffs[diffs.length >> 1];
    vfr = diffs.some((d) => Math.abs(d - med) > 0.1 * med + 1e-4);
  }
  const declared = v.nb_frames && Number(v.nb_frames) > 0 ? Number(v.nb_frames) : null;
  if (declared !== null && times.length < declared) {
    throw new NogginError('capture', `${path} is truncated: it declares ${declared} frames but holds ${times.length}`, 'use a complete copy of the video, or re-encode the readable part with `ffmpeg -i IN -c:v libx264 OUT.mp4`');
  }
  const durationMs = frameTimesMs[frameTimesMs.length - 1] + (fps > 0 ? 1000 / fps : 0);
  return {
    path,
    width: swap ? codedHeight : codedWidth,
    height: swap ? codedWidth : codedHeight,
    codedWidth,
    codedHeight,
    rotationDeg: rot,
    fps: fps > 0 ? fps : 25,
    variableFrameRate: vfr,
    frameCount: times.length,
    declaredFrameCount: declared,
    frameTimesMs,
    startPtsSec: start,
    containerStartSec: Number.isFinite(Number(parsed.format?.start_time)) ? Number(parsed.format?.start_time) : 0,
    durationMs,
    codec: v.codec_name ?? 'unknown',
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
    colorSpace: colorTag(v.color_space),
    colorRange: colorTag(v.color_range),
  };
}

function colorTag(t: string | undefined): string | null {
  return t && t !== 'unknown' && t !== 'reserved' ? t : null;
}

function streamSelector(streams: ProbeStream[], v: ProbeStream): string {
  // Index among video streams, so ffprobe's `v:N` selects the same stream.
  return `v:${streams.filter((s) => s.codec_type === 'video').indexOf(v)}`;
}

/** One decoded frame. */
export interface DecodedFrame {
  /** 0-based index in the whole video. */
  readonly index: number;
  /** Presentation time in ms from the video's first frame. */
  readonly timeMs: number;
  /** Width and height of the picture in px. */
  readonly width: number;
  readonly height: number;
  /** Pixel encoding of `data`. */
  readonly encoding: FrameEncoding;
  /**
   * rgba: straight RGBA bytes, row-major from the top-left; yuv420p: the Y plane, then U,
   * then V (chroma ceil(width/2) x ceil(height/2)), in the source's own matrix and range;
   * jpeg: one JFIF image.
   */
  readonly data: Buffer;
}

/** How `decodeFrames` delivers pixels. */
export type FrameEncoding = 'rgba' | 'yuv420p' | 'jpeg';

/** Bytes of one raw frame of an encoding. */
export function rawFrameBytes(encoding: 'rgba' | 'yuv420p', width: number, height: number): number {
  return encoding === 'rgba' ? width * height * 4 : width * height + 2 * ((width + 1) >> 1) * ((height + 1) >> 1);
}

/** Options for `decodeFrames`. */
export interface DecodeOptions {
  /** Output size in px (scaled from the upright frame); default the upright size. */
  readonly width?: number;
  readonly height?: number;
  /** First frame index to output (earlier frames are decoded and skipped). */
  readonly startFrame?: number;
  /** Frame index to stop before (exclusive). */
  readonly endFrame?: number;
  /**
   * Raw RGBA (default); raw YUV 4:2:0 in the source's own matrix and range (no conversion
   * for the usual yuv420p source; a full-range source stays full range); or high-quality
   * JPEG (q 2), ~20x smaller than RGBA to send to a page.
   */
  readonly encoding?: FrameEncoding;
  /**
   * Raw encodings: reuse frame buffers, so a frame's data is valid only until the next
   * frame is asked for (no allocation per frame when the consumer is done with each
   * frame by then).
   */
  readonly recycle?: boolean;
  /**
   * Only these frame indices are output; the others are decoded and dropped inside ffmpeg
   * (no conversion, no pipe), which makes sparse samples of a clip cheap. Not with startFrame.
   */
  readonly frames?: ReadonlySet<number>;
}

/** Splits a byte stream into frames: fixed-size raw frames, or whole JPEG images. */
interface FrameSplitter {
  /** Adds bytes; returns the frames completed by them. */
  push(chunk: Buffer): Buffer[];
}

function rawSplitter(frameBytes: number, pool: Buffer[] | null): FrameSplitter {
  // Each chunk is copied once, straight into the frame it belongs to (frames are 1-30 MB
  // and arrive in 64 KB chunks: concatenating first would copy every byte twice).
  let frame: Buffer | null = null;
  let filled = 0;
  return {
    push(chunk) {
      const out: Buffer[] = [];
      let at = 0;
      while (at < chunk.length) {
        frame ??= pool?.pop() ?? Buffer.allocUnsafe(frameBytes);
        const n = Math.min(frameBytes - filled, chunk.length - at);
        chunk.copy(frame, filled, at, at + n);
        filled += n;
        at += n;
        if (filled === frameBytes) {
          out.push(frame);
          frame = null;
          filled = 0;
        }
      }
      return out;
    },
  };
}

/**
 * Splits concatenated JPEG images (ffmpeg's mjpeg muxer) by walking their markers: segment
 * lengths up to SOS, then entropy-coded data up to EOI (0xFF bytes there are stuffed).
 */
export function jpegSplitter(): FrameSplitter {
  let buf: Buffer = Buffer.alloc(0);
  return {
    push(chunk) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      const out: Buffer[] = [];
      for (;;) {
        const end = findJpegEnd(buf);
        if (end < 0) break;
        out.push(Buffer.from(buf.subarray(0, end)));
        buf = buf.subarray(end);
      }
      return out;
    },
  };
}

/** Returns the byte length of the complete JPEG at the start of `b`, or -1 if incomplete. */
function findJpegEnd(b: Buffer): number {
  if (b.length < 4) return -1;
  if (b[0] !== 0xff || b[1] !== 0xd8) throw new NogginError('ffmpeg', 'JPEG frame stream lost sync', 're-run; report it if it persists');
  let i = 2;
  while (i + 2 <= b.length) {
    if (b[i] !== 0xff) throw new NogginError('ffmpeg', 'JPEG frame stream lost sync', 're-run; report it if it persists');
    const marker = b[i + 1];
    if (marker === 0xd9) return i + 2;
    if (i + 4 > b.length) return -1;
    const segLen = b.readUInt16BE(i + 2);
    if (marker !== 0xda) {
      i += 2 + segLen;
      continue;
    }
    // Start of scan: skip its header, then find the next marker that is not stuffing or RSTn.
    let j = i + 2 + segLen;
    for (; j + 1 < b.length; j++) {
      if (b[j] !== 0xff) continue;
      const m = b[j + 1];
      if (m === 0x00 || (m >= 0xd0 && m <= 0xd7) || m === 0xff) continue;
      break;
    }
    if (j + 1 >= b.length) return -1;
    i = j;
  }
  return -1;
}

/** The analysis size for a video: the upright size scaled so its long side is at most `maxSide` (even sizes). */
export function analysisSize(info: VideoInfo, maxSide: number): { width: number; height: number } {
  const s = Math.min(1, maxSide / Math.max(info.width, info.height));
  const even = (n: number) => Math.max(2, Math.round((n * s) / 2) * 2);
  return s === 1 ? { width: info.width, height: info.height } : { width: even(info.width), height: even(info.height) };
}

/** Index of the frame whose time is nearest `timeMs` (binary search over the sorted times). */
export function frameIndexAt(info: VideoInfo, timeMs: number): number {
  const t = info.frameTimesMs;
  let lo = 0;
  let hi = t.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid] < timeMs) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(t[lo - 1] - timeMs) < Math.abs(t[lo] - timeMs)) lo--;
  return lo;
}

/**
 * Streams decoded frames (RGBA, YUV 4:2:0 or JPEG) with their presentation times. The
 * ffmpeg child is killed when the consumer stops early or fails. Throws a NogginError when
 * ffmpeg fails or the video turns out truncated (fewer frames decoded than the container
 * declares).
 */
export async function* decodeFrames(info: VideoInfo, opts: DecodeOptions = {}): AsyncGenerator<DecodedFrame> {
  const width = opts.width ?? info.width;
  const height = opts.height ?? info.height;
  const startFrame = opts.startFrame ?? 0;
  const endFrame = Math.min(opts.endFrame ?? info.frameCount, info.frameCount);
  const encoding = opts.encoding ?? 'rgba';
  // Without a seek, ffmpeg's frame number n is the frame index.
  if (opts.frames && startFrame > 0) throw new Error('decodeFrames: frames and startFrame cannot be combined');
  const picked = opts.frames ? [...opts.frames].filter((i) => i >= 0 && i < endFrame).sort((a, b) => a - b) : null;
  // Buffers handed back when the consumer asks for the next frame (recycle).
  const pool: Buffer[] | null = opts.recycle && encoding !== 'jpeg' ? [] : null;
  const splitter = encoding === 'jpeg' ? jpegSplitter() : rawSplitter(rawFrameBytes(encoding, width, height), pool);
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'level+info'];
  if (startFrame > 0) {
    // Seek a frame before the wanted one (exact frames are picked by their pts below), from
    // the container's start: ffmpeg adds that to -ss itself.
    const seekSec = Math.max(0, info.startPtsSec - info.containerStartSec + info.frameTimesMs[startFrame] / 1000 - 1 / info.fps);
    args.push('-ss', seekSec.toFixed(6));
  }
  args.push('-copyts', '-i', info.path, '-map', `0:v:0`, '-an', '-sn', '-dn', '-fps_mode', 'passthrough');
  const filters = [];
  if (picked) filters.push(`select='${picked.length ? picked.map((i) => `eq(n,${i})`).join('+') : '0'}'`);
  if (width !== info.width || height !== info.height) filters.push(`scale=${width}:${height}:flags=area`);
  // ffmpeg would squeeze a full-range source into limited range on the way to yuv420p.
  if (encoding === 'yuv420p' && info.colorRange === 'pc') filters.push('scale=in_range=pc:out_range=pc');
  filters.push('showinfo');
  args.push('-vf', filters.join(','));
  // Stop after the last pick: select drops the rest, and ffmpeg would decode to the end.
  if (picked) args.push('-frames:v', String(Math.max(1, picked.length)));
  // 4:2:0: the landmarker sees little colour; the JPEG costs 25% less to make and to read.
  if (encoding === 'jpeg') args.push('-pix_fmt', 'yuvj420p', '-c:v', 'mjpeg', '-q:v', '2', '-f', 'mjpeg', 'pipe:1');
  else args.push('-pix_fmt', encoding, '-f', 'rawvideo', 'pipe:1');

  const pts: number[] = [];
  const errors: string[] = [];
  const child = ManagedChild.start('ffmpeg-decode', findFfmpeg(), args, {
    onStderrLine(line) {
      const m = /\bn:\s*\d+\s+pts:\s*-?\d+\s+pts_time:(-?[\d.e+-]+)/.exec(line);
      if (m) pts.push(Number(m[1]));
      else if (/^\[(error|fatal)\]/.test(line) || /\[(error|fatal)\]/.test(line.slice(0, 60))) errors.push(line.replace(/^\[\w+\]\s*/, ''));
    },
  });
  let out = 0;
  let decoded = 0;
  let done = false;
  try {
    for await (const chunk of child.proc.stdout as AsyncIterable<Buffer>) {
      for (const frame of splitter.push(chunk)) {
        // showinfo prints before the frame reaches the muxer; wait briefly if it lags.
        for (let i = 0; pts.length <= decoded && i < 200; i++) await new Promise((r) => setTimeout(r, 1));
        const ptsSec = pts[decoded];
        decoded++;
        if (ptsSec === undefined) throw new NogginError('ffmpeg', 'frame timestamps went missing', 're-run with --log-level debug and report the output');
        const index = frameIndexAt(info, (ptsSec - info.startPtsSec) * 1000);
        if (index < startFrame) continue;
        if (index >= endFrame) {
          done = true;
          break;
        }
        const expected = picked ? picked[out] : startFrame + out;
        if (expected === undefined) {
          done = true;
          break;
        }
        if (index !== expected) log.debug({ index, expected, ptsSec }, 'decoded frame index differs from the count; using the count');
        out++;
        yield { index: expected, timeMs: info.frameTimesMs[Math.min(expected, info.frameCount - 1)], width, height, encoding, data: frame };
        pool?.push(frame);
      }
      if (done) break;
    }
  } finally {
    if (child.state === 'running' || child.state === 'starting') await child.kill();
  }
  const exit = await child.exited;
  if (done) return;
  if (exit.state !== 'exited' && exit.state !== 'killed') {
    const why = errors[errors.length - 1] ?? exit.stderrTail.trim().split('\n').pop() ?? `exit ${exit.code}`;
    throw new NogginError('ffmpeg', `decoding ${info.path} failed (${why.replace(/^\[\w+\]\s*/, '')})`, 'check that the video plays; re-encode it with `ffmpeg -i IN -c:v libx264 OUT.mp4`');
  }
  const wanted = picked ? picked.length : endFrame - startFrame;
  if (out < wanted) {
    const got = picked ? `${out} of the ${wanted} sampled` : `${startFrame + out} of ${info.frameCount}`;
    throw new NogginError('capture', `${info.path} is truncated or corrupt: decoded ${got} frames${errors.length ? ` (${errors[errors.length - 1]})` : ''}`, 'use a complete copy of the video, or re-encode the readable part with `ffmpeg -i IN -c:v libx264 OUT.mp4`');
  }
}
