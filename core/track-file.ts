/**
 * Reading and writing track files (`*.track.ndjson`). Writers stream to a temporary name
 * in the destination folder and rename when complete, so a crash never leaves a
 * complete-looking track; readers refuse a file without trailer unless told otherwise.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { NogginError } from './errors.js';
import { frameToLine, parseTrackLine, type TrackFrame, type TrackHeader } from './track.js';

/** A temporary sibling path for `finalPath`, hidden and unique to this process. */
export function tempPathFor(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

/** Writes a stream to a temporary file and renames it into place on `commit()`. */
export class AtomicFileWriter {
  readonly tempPath: string;
  private readonly out: WriteStream;
  private failed: Error | null = null;
  private closed = false;

  private constructor(readonly finalPath: string) {
    this.tempPath = tempPathFor(finalPath);
    this.out = createWriteStream(this.tempPath, { flags: 'wx' });
    this.out.on('error', (e) => {
      this.failed = e;
    });
  }

  /** Opens a writer for `finalPath`; fails with a clear error when the folder is missing or read-only. */
  static async open(finalPath: string, component: string): Promise<AtomicFileWriter> {
    const dir = dirname(finalPath);
    try {
      const s = await stat(dir);
      if (!s.isDirectory()) throw new Error('not a folder');
    } catch {
      throw new NogginError(component, `output folder ${dir} does not exist`, `create it (mkdir -p ${dir}) or choose another output path`);
    }
    const w = new AtomicFileWriter(finalPath);
    await new Promise<void>((resolve, reject) => {
      w.out.once('open', () => resolve());
      w.out.once('error', (e: NodeJS.ErrnoException) =>
        reject(new NogginError(component, `cannot write in ${dir} (${e.code ?? e.message})`, 'choose a writable output folder')),
      );
    });
    return w;
  }

  /** Appends text, waiting when the OS buffer is full. */
  async write(text: string): Promise<void> {
    if (this.failed) throw this.writeError(this.failed);
    if (!this.out.write(text)) {
      await new Promise<void>((resolve, reject) => {
        const onErr = (e: Error) => reject(this.writeError(e));
        this.out.once('error', onErr);
        this.out.once('drain', () => {
          this.out.off('error', onErr);
          resolve();
        });
      });
    }
  }

  private writeError(e: Error & { code?: string }): NogginError {
    const why = e.code === 'ENOSPC' ? 'the disk is full' : e.message;
    return new NogginError('output', `writing ${this.finalPath} failed: ${why}`, 'free disk space or choose another output folder');
  }

  private async closeStream(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.out.end(() => resolve()));
    if (this.failed) throw this.writeError(this.failed);
  }

  /** Flushes, closes and renames the file into place. */
  async commit(): Promise<void> {
    await this.closeStream();
    await mkdir(dirname(this.finalPath), { recursive: true });
    await rename(this.tempPath, this.finalPath);
  }

  /** Closes and deletes the temporary file; the final path is left untouched. */
  async abort(): Promise<void> {
    try {
      await this.closeStream();
    } catch {
      /* already failing; the temp file is removed below */
    }
    await rm(this.tempPath, { force: true });
  }
}

/** Streams a track to disk: header, frames in order, trailer, then rename. */
export class TrackWriter {
  private frames = 0;
  private constructor(private readonly file: AtomicFileWriter) {}

  /** Opens `path` (written to a temporary name until `finish`) and writes the header. */
  static async open(path: string, header: TrackHeader, component = 'capture'): Promise<TrackWriter> {
    const file = await AtomicFileWriter.open(path, component);
    const w = new TrackWriter(file);
    await file.write(JSON.stringify(header) + '\n');
    return w;
  }

  /** Number of frame lines written so far. */
  get frameCount(): number {
    return this.frames;
  }

  /** Appends one frame; frames must arrive in order without gaps. */
  async writeFrame(f: TrackFrame): Promise<void> {
    if (f.frame !== this.frames) throw new Error(`track frame ${f.frame} written out of order (expected ${this.frames})`);
    this.frames++;
    await this.file.write(frameToLine(f) + '\n');
  }

  /** Writes the trailer and renames the file into place. */
  async finish(): Promise<void> {
    await this.file.write(JSON.stringify({ end: true, frames: this.frames }) + '\n');
    await this.file.commit();
  }

  /**
   * Renames the file into place without a trailer, so readers see it is incomplete
   * (used by recorders whose producer vanished).
   */
  async finishIncomplete(): Promise<void> {
    await this.file.commit();
  }

  /** Deletes the temporary file. */
  async abort(): Promise<void> {
    await this.file.abort();
  }
}

/** An opened track: its header and an iterator over its frames. */
export interface OpenedTrack {
  readonly header: TrackHeader;
  /** Frames in order. Throws at the end when the trailer is missing (unless allowIncomplete). */
  readonly frames: AsyncIterable<TrackFrame>;
}

/** Opens a track file; validates the header at once and the frames as they are read. */
export async function openTrack(path: string, opts: { allowIncomplete?: boolean } = {}): Promise<OpenedTrack> {
  try {
    await stat(path);
  } catch {
    throw new NogginError('track', `${path} does not exist`, 'check the path, or make a track with `noggin capture VIDEO -o TRACK`');
  }
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  const it = rl[Symbol.asyncIterator]();
  const first = await it.next();
  const bad = (why: string) =>
    new NogginError('track', `${path} is not a valid noggin track (${why})`, 'make it again with `noggin capture VIDEO -o TRACK`');
  if (first.done) throw bad('empty file');
  let header: TrackHeader;
  try {
    const l = parseTrackLine(first.value, true);
    if (l.kind !== 'header') throw new Error('no header');
    header = l.header;
  } catch (e) {
    rl.close();
    throw bad(`line 1: ${(e as Error).message.split('\n')[0].slice(0, 120)}`);
  }
  async function* frames(): AsyncGenerator<TrackFrame> {
    let n = 0;
    let lineNo = 1;
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        lineNo++;
        if (!r.value.trim()) continue;
        let l;
        try {
          l = parseTrackLine(r.value, false);
        } catch (e) {
          throw bad(`line ${lineNo}: ${(e as Error).message.split('\n')[0].slice(0, 120)}`);
        }
        if (l.kind === 'trailer') {
          if (l.trailer.frames !== n) throw bad(`trailer says ${l.trailer.frames} frames, file has ${n}`);
          return;
        }
        if (l.kind !== 'frame') throw bad(`line ${lineNo} is a second header`);
        if (l.frame.frame !== n) throw bad(`line ${lineNo} holds frame ${l.frame.frame}, expected ${n}`);
        n++;
        yield l.frame;
      }
      if (!opts.allowIncomplete) {
        throw new NogginError('track', `${path} is incomplete (no trailer after ${n} frames; its capture was interrupted)`, 'capture the video again');
      }
    } finally {
      rl.close();
    }
  }
  return { header, frames: frames() };
}
