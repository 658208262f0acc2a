/**
 * ffmpeg for the compositor: probing a source's audio and colour tags, and encoding the
 * finished YUV 4:2:0 frames (stdin, in the source's own matrix and range) into the
 * delivery file with the source's audio stream copied (re-encoded only when the container
 * cannot hold it) and its colour tags kept.
 * Callers pass a temporary output path and rename it when complete.
 */
import { NogginError } from '../core/errors.js';
import { ManagedChild, stdinSink, runToCompletion } from './child-process.js';
import { findFfmpeg, findFfprobe } from './tools.js';

/** Delivery video codec. */
export type OutputCodec = 'h264' | 'h265' | 'prores';
export const OUTPUT_CODECS: readonly OutputCodec[] = ['h264', 'h265', 'prores'];

/** Audio and colour facts of a source, for the encode. */
export interface SourceStreams {
  /** Codec name of the first audio stream, or null when there is none. */
  readonly audioCodec: string | null;
  readonly colorSpace: string | null;
  readonly colorPrimaries: string | null;
  readonly colorTransfer: string | null;
  readonly colorRange: string | null;
}

/** Probes audio codec and colour tags of `path`. */
export async function probeSourceStreams(path: string): Promise<SourceStreams> {
  const r = await runToCompletion('ffprobe', findFfprobe(), ['-v', 'error', '-print_format', 'json', '-show_streams', path], 60000);
  if (r.exit.state !== 'exited') throw new NogginError('ffmpeg', `cannot probe ${path}`, 'check that the video plays');
  const streams = (JSON.parse(r.stdout).streams ?? []) as Record<string, unknown>[];
  const v = streams.find((s) => s.codec_type === 'video') ?? {};
  const a = streams.find((s) => s.codec_type === 'audio');
  const tag = (k: string): string | null => {
    const x = v[k];
    return typeof x === 'string' && x !== 'unknown' && x !== 'reserved' ? x : null;
  };
  return {
    audioCodec: a ? String(a.codec_name ?? 'unknown') : null,
    colorSpace: tag('color_space'),
    colorPrimaries: tag('color_primaries'),
    colorTransfer: tag('color_transfer'),
    colorRange: tag('color_range'),
  };
}

/** Audio codecs an MP4 holds as they are (others are re-encoded to AAC). */
const MP4_AUDIO = new Set(['aac', 'mp3', 'alac', 'ac3', 'eac3', 'opus', 'flac']);

/** Options of `startCompositeEncoder`. */
export interface CompositeEncoderOptions {
  readonly width: number;
  readonly height: number;
  /** Frames per second of the input pipe (constant). */
  readonly fps: number;
  /**
   * The source's display rotation in degrees counter-clockwise (0/90/180/270, as
   * `probeVideo` reports it): the upright frames are turned back to the source's stored
   * orientation and tagged the same, so the output is stored and displayed like the
   * source. Default 0.
   */
  readonly rotationDeg?: number;
  /** Leave the moov box at the end and use no B-frames (its timing is rewritten, then remuxFinal moves it). */
  readonly moovAtEnd?: boolean;
  /** Source video whose audio is copied (input 1). */
  readonly source: string;
  readonly streams: SourceStreams;
  /** Output path, written as given (.mp4, .mov, .mkv...). */
  readonly output: string;
  /** Container format for ffmpeg's -f (mp4, mov, matroska). */
  readonly format: string;
  readonly codec: OutputCodec;
  readonly crf: number;
  readonly preset: string;
}

/**
 * ffmpeg's `rotate` tag (the stored picture is the upright one turned that far clockwise) that keeps a source's rotation in a
 * `format` file, or 0 when there is none or the container cannot carry it (Matroska: the
 * frames are then stored upright).
 */
export function rotationTag(format: string, rotationDeg = 0): number {
  if (format !== 'mp4' && format !== 'mov') return 0;
  return (360 - (((rotationDeg % 360) + 360) % 360)) % 360;
}

/**
 * Copies `input` to `output` (streams and timing as they are, moov moved to the front),
 * with the video stream tagged `rotate=tag` when tag is not 0 (this ffmpeg writes the tag
 * only when copying streams, not when encoding).
 */
export async function remuxFinal(input: string, output: string, format: string, tag: number): Promise<void> {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', input, '-map', '0', '-c', 'copy', '-map_metadata', '0'];
  if (tag) args.push('-metadata:s:v:0', `rotate=${tag}`);
  args.push('-movflags', '+faststart+write_colr', '-fflags', '+bitexact', '-f', format, '-y', output);
  const r = await runToCompletion('ffmpeg-rotate', findFfmpeg(), args, 600000);
  if (r.exit.code !== 0) {
    const full = /No space left/i.test(r.exit.stderrTail);
    throw new NogginError('ffmpeg', `finishing the output failed (${full ? 'the disk is full' : `exit ${r.exit.code}`})`, full ? 'free disk space or choose another output folder' : 're-run with --log-level debug');
  }
}

/** The ffmpeg arguments of a composite encode (exported for tests and debugging). */
export function compositeEncoderArgs(o: CompositeEncoderOptions): string[] {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${o.width}x${o.height}`];
  args.push('-framerate', String(Math.round(o.fps * 1e6) / 1e6), '-i', 'pipe:0');
  args.push('-i', o.source, '-map', '0:v:0', '-map', '1:a:0?', '-map_metadata', '1', '-map_chapters', '-1');
  // The frames are the source's own YUV: no matrix conversion. They are tagged with its
  // range, so no ffmpeg converts them toward the output's range tag.
  const filters: string[] = [];
  const range = o.streams.colorRange;
  if (range === 'tv' || range === 'pc') filters.push(`setparams=range=${range}`);
  const tag = rotationTag(o.format, o.rotationDeg);
  if (tag === 90) filters.push('transpose=clock');
  else if (tag === 270) filters.push('transpose=cclock');
  else if (tag === 180) filters.push('hflip', 'vflip');
  // ProRes 422 HQ: the 4:2:0 chroma is upsampled, 10 bits.
  if (o.codec === 'prores') filters.push('format=yuv422p10le');
  if (filters.length) args.push('-vf', filters.join(','));
  if (o.codec === 'prores') {
    args.push('-c:v', 'prores_ks', '-profile:v', '3', '-vendor', 'apl0');
  } else {
    // Retimed outputs: no B-frames, so decode order is display order and the rewritten
    // sample durations are the display durations (no composition offsets to redo).
    if (o.codec === 'h264') args.push('-c:v', 'libx264', '-preset', o.preset, '-crf', String(o.crf), ...(o.moovAtEnd ? ['-bf', '0'] : []));
    else args.push('-c:v', 'libx265', '-preset', o.preset, '-crf', String(o.crf), '-tag:v', 'hvc1', '-x265-params', o.moovAtEnd ? 'log-level=error:bframes=0' : 'log-level=error');
  }
  if (o.streams.colorSpace) args.push('-colorspace', o.streams.colorSpace);
  if (o.streams.colorPrimaries) args.push('-color_primaries', o.streams.colorPrimaries);
  if (o.streams.colorTransfer) args.push('-color_trc', o.streams.colorTransfer);
  if (o.streams.colorRange) args.push('-color_range', o.streams.colorRange);
  const a = o.streams.audioCodec;
  if (a) {
    const copy = o.format !== 'mp4' || MP4_AUDIO.has(a);
    args.push(...(copy ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-b:a', '192k']));
  }
  if (o.format === 'mp4' || o.format === 'mov') args.push('-movflags', o.moovAtEnd ? '+write_colr' : '+faststart+write_colr');
  args.push('-fflags', '+bitexact', '-flags:v', '+bitexact', '-f', o.format, '-y', o.output);
  return args;
}

/** A running composite encoder. */
export interface CompositeEncoder {
  /** Writes one yuv420p frame; resolves when ffmpeg took it (the buffer may be reused then). */
  write(frame: Uint8Array): Promise<void>;
  /** Closes stdin and waits; throws a NogginError when ffmpeg failed. */
  finish(): Promise<void>;
  /** Kills ffmpeg (the output is left for the caller to remove). */
  abort(): Promise<void>;
}

/** Starts ffmpeg reading yuv420p frames on stdin and writing the delivery file. */
export function startCompositeEncoder(o: CompositeEncoderOptions): CompositeEncoder {
  const child = ManagedChild.start('ffmpeg-composite', findFfmpeg(), compositeEncoderArgs(o), { stdin: true });
  const failure = (why: string) => {
    const full = /No space left/i.test(why);
    return new NogginError(
      'ffmpeg',
      `encoding ${o.output.replace(/\/\.([^/]+)\.\d+\.[a-z0-9]+\.tmp$/, '/$1')} failed (${full ? 'the disk is full' : why})`,
      full ? 'free disk space or choose another output folder' : 'check free disk space and that the output folder is writable; re-run with --log-level debug',
    );
  };
  return stdinSink(child, failure);
}
