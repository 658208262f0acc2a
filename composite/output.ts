/**
 * The delivery file: checks the output path up front, encodes to a temporary sibling and
 * renames it into place on commit; on abort (error, Ctrl-C) the temporary file is removed
 * and no OUT appears. Optionally collects contact sheets.
 */
import { constants } from 'node:fs';
import { access, rename, rm, stat } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { NogginError } from '../core/errors.js';
import { tempPathFor } from '../core/track-file.js';
import { onCleanup } from '../system/cleanup.js';
import { probeSourceStreams, remuxFinal, rotationTag, startCompositeEncoder, type CompositeEncoder, type OutputCodec } from '../system/ffmpeg-composite.js';
import { retimeMov } from '../render/mov-timing.js';
import { ContactSheet } from './contact-sheet.js';
import { yuvColorOf, type YuvColor } from './yuv.js';

/** Encoding settings shared by `noggin composite` and `noggin run`. */
export interface EncodeSettings {
  /** Constant rate factor (h264/h265), default 18. */
  readonly crf?: number;
  /** x264/x265 preset, default veryfast. */
  readonly preset?: string;
  /** Output codec, default h264. */
  readonly codec?: OutputCodec;
  /** Write contact sheets next to the output. */
  readonly sheet?: boolean;
}

export const DEFAULT_CRF = 18;
export const DEFAULT_PRESET = 'veryfast';
export const PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'] as const;

/** ffmpeg container for an output path and codec. */
export function containerFor(output: string, codec: OutputCodec): string {
  const ext = extname(output).toLowerCase();
  if (ext === '.mov') return 'mov';
  if (ext === '.mkv') return 'matroska';
  if (ext === '.mp4' || ext === '.m4v') {
    if (codec === 'prores') throw new NogginError('composite', `ProRes does not go in an MP4 (${output})`, 'name the output .mov, or use --codec h264', 2);
    return 'mp4';
  }
  throw new NogginError('composite', `cannot tell the container from the output name ${output}`, 'name the output .mp4 (or .mov/.mkv)', 2);
}

/** Throws a one-line error when the output folder is missing or not writable. */
export async function checkOutputPath(output: string): Promise<void> {
  const dir = dirname(output);
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) throw new Error('not a folder');
  } catch {
    throw new NogginError('composite', `the output folder ${dir} does not exist`, `create it (mkdir -p ${dir}) or choose another output path`);
  }
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new NogginError('composite', `the output folder ${dir} is not writable`, 'choose a writable output folder');
  }
  try {
    const s = await stat(output);
    if (s.isDirectory()) throw new NogginError('composite', `the output ${output} is a folder`, 'give a file name such as OUT.mp4');
  } catch (e) {
    if (e instanceof NogginError) throw e;
  }
}

/** An output being written. */
export interface OutputFile {
  readonly sheet: ContactSheet | null;
  /** The source's YUV matrix and range: the frames written are in them. */
  readonly color: YuvColor;
  /** Writes one finished frame (yuv420p); the buffer may be reused once this resolves. */
  write(frame: Uint8Array): Promise<void>;
  /** Finishes the encode, renames into place, writes the sheets; returns the sheet paths. */
  commit(): Promise<string[]>;
  /** Stops and removes the temporary file. */
  abort(): Promise<void>;
}

/** Opens the output for a source video of the given size and rate. */
export async function openOutput(
  o: {
    source: string;
    output: string;
    width: number;
    height: number;
    fps: number;
    frameCount: number;
    rotationDeg?: number;
    /** The source's frame times (ms from the first) when its frame rate varies: the output keeps them. */
    variableFrameTimesMs?: ArrayLike<number> | null;
  } & EncodeSettings,
): Promise<OutputFile> {
  const codec = o.codec ?? 'h264';
  const format = containerFor(o.output, codec);
  await checkOutputPath(o.output);
  const streams = await probeSourceStreams(o.source);
  const temp = tempPathFor(o.output);
  const tag = rotationTag(format, o.rotationDeg);
  const retime = o.variableFrameTimesMs && o.variableFrameTimesMs.length === o.frameCount && (format === 'mp4' || format === 'mov') ? o.variableFrameTimesMs : null;
  // A rotated or variable-rate source: encode, fix the timing in place, then copy once more
  // (rotation tag, moov to the front; see remuxFinal).
  const tagged = tag || retime ? tempPathFor(o.output) + '.fin' : null;
  const removeTemps = async () => {
    await rm(temp, { force: true });
    if (tagged) await rm(tagged, { force: true });
  };
  const unregister = onCleanup('composite-output', removeTemps);
  let encoder: CompositeEncoder | null = startCompositeEncoder({
    width: o.width,
    height: o.height,
    fps: o.fps,
    rotationDeg: o.rotationDeg,
    moovAtEnd: retime !== null,
    source: o.source,
    streams,
    output: temp,
    format,
    codec,
    crf: o.crf ?? DEFAULT_CRF,
    preset: o.preset ?? DEFAULT_PRESET,
  });
  const color = yuvColorOf(streams);
  const sheet = o.sheet ? new ContactSheet(o.width, o.height, o.fps, o.frameCount, color) : null;
  const abort = async () => {
    if (encoder) await encoder.abort().catch(() => undefined);
    encoder = null;
    await removeTemps();
    unregister();
  };
  return {
    sheet,
    color,
    write: (f) => encoder!.write(f),
    async commit() {
      try {
        await encoder!.finish();
        encoder = null;
        if (tagged) {
          if (retime && !(await retimeMov(temp, Array.from(retime), 1000 / o.fps))) {
            throw new NogginError('composite', 'could not carry the source\'s variable frame times into the output', 're-run with --log-level debug and report it');
          }
          await remuxFinal(temp, tagged, format, tag);
          await rename(tagged, o.output);
          await rm(temp, { force: true });
        } else {
          await rename(temp, o.output);
        }
      } catch (e) {
        await abort();
        throw e;
      }
      unregister();
      return sheet ? sheet.write(o.output) : [];
    },
    abort,
  };
}
