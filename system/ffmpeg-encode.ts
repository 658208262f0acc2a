/**
 * Encoding raw RGBA frames with ffmpeg into an alpha layer editors can use: a QuickTime
 * .mov with ProRes 4444 (10-bit YUV + 16-bit alpha) or PNG (lossless RGBA), optionally a
 * PNG sequence too. Frames arrive on ffmpeg's stdin at a constant rate; outputs go to the
 * paths given (callers write to temporary names and rename on success).
 */
import { NogginError } from '../core/errors.js';
import { ManagedChild, stdinSink } from './child-process.js';
import { findFfmpeg } from './tools.js';

/** Video codec of the alpha layer. */
export type LayerCodec = 'prores' | 'png';

/** Options of `startLayerEncoder`. */
export interface LayerEncoderOptions {
  readonly width: number;
  readonly height: number;
  /** Frames per second (constant). */
  readonly fps: number;
  /** .mov output path (written as given), or null for none. */
  readonly output: string | null;
  readonly codec: LayerCodec;
  /** Folder for a PNG sequence (frame_000000.png...), or null for none. */
  readonly pngDir: string | null;
}

/** A running encoder. */
export interface LayerEncoder {
  /** Writes one frame (width*height*4 bytes of straight RGBA); resolves once ffmpeg took it. */
  write(frame: Uint8Array): Promise<void>;
  /** Closes stdin and waits for ffmpeg; throws a NogginError when it failed. */
  finish(): Promise<void>;
  /** Kills ffmpeg (outputs are left for the caller to remove). */
  abort(): Promise<void>;
}

/** The ffmpeg arguments for a layer encode (exported for tests and --log-level debug). */
export function layerEncoderArgs(o: LayerEncoderOptions): string[] {
  const args = ['-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${o.width}x${o.height}`];
  args.push('-framerate', String(Math.round(o.fps * 1e6) / 1e6), '-i', 'pipe:0');
  if (o.output) {
    args.push('-map', '0:v');
    if (o.codec === 'prores') {
      args.push('-c:v', 'prores_ks', '-profile:v', '4444', '-pix_fmt', 'yuva444p10le', '-alpha_bits', '16', '-vendor', 'apl0', '-qscale:v', '9');
    } else {
      args.push('-c:v', 'png', '-pix_fmt', 'rgba', '-pred', 'none', '-compression_level', '1');
    }
    // 90 kHz track timescale: per-frame durations can then follow a variable-rate source.
    args.push('-video_track_timescale', '90000', '-f', 'mov', '-movflags', '+write_colr', '-y', o.output);
  }
  if (o.pngDir) {
    args.push('-map', '0:v', '-c:v', 'png', '-pix_fmt', 'rgba', '-compression_level', '3', '-f', 'image2', '-start_number', '0', '-y', `${o.pngDir}/frame_%06d.png`);
  }
  return args;
}

/** Starts ffmpeg reading raw RGBA frames on stdin. */
export function startLayerEncoder(o: LayerEncoderOptions): LayerEncoder {
  if (!o.output && !o.pngDir) throw new Error('startLayerEncoder: no output');
  const child = ManagedChild.start('ffmpeg-encode', findFfmpeg(), layerEncoderArgs(o), { stdin: true });
  const failure = (why: string) =>
    new NogginError('ffmpeg', `encoding the layer failed (${why})`, 'check free disk space and that the output folder is writable; re-run with --log-level debug');
  return stdinSink(child, failure);
}
