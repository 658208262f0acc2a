/**
 * A first-in first-out spool of binary records on disk: one writer appends while one
 * reader drains, so a segment's results can wait their turn without growing memory.
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { onCleanup } from '../system/cleanup.js';

/** Disk-backed record queue (temporary file removed on close or at exit). */
export class DiskSpool {
  private writePos = 0;
  private readPos = 0;
  private ended = false;
  private failed: unknown = null;
  private wake: (() => void) | null = null;
  private writing: Promise<void> = Promise.resolve();
  private readonly unregister: () => void;

  private constructor(private readonly fh: FileHandle, readonly path: string) {
    this.unregister = onCleanup('spool', () => this.close());
  }

  /** Creates an empty spool in the OS temporary folder. */
  static async create(): Promise<DiskSpool> {
    const path = join(tmpdir(), `noggin-spool-${randomUUID()}.bin`);
    return new DiskSpool(await open(path, 'w+'), path);
  }

  /** Appends one record, given as one or more consecutive parts (writes are serialised). */
  append(...parts: Uint8Array[]): Promise<void> {
    const size = parts.reduce((n, p) => n + p.length, 0);
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32LE(size, 0);
    const at = this.writePos;
    this.writePos += 4 + size;
    this.writing = this.writing.then(async () => {
      // Records are large (head crops): their parts are written as they are, not copied together.
      const { bytesWritten } = await this.fh.writev([len, ...parts], at);
      if (bytesWritten < 4 + size) {
        const rest = Buffer.concat([len, ...parts]).subarray(bytesWritten);
        await this.fh.write(rest, 0, rest.length, at + bytesWritten);
      }
      this.wake?.();
    });
    return this.writing;
  }

  /** Marks the end of the records (after the pending writes). */
  end(): void {
    void this.writing.then(() => {
      this.ended = true;
      this.wake?.();
    });
  }

  /** Makes the reader throw `e`. */
  fail(e: unknown): void {
    this.failed = e;
    this.wake?.();
  }

  /**
   * Reads the records in order, waiting for the writer, until `end()`. With `recycle`, a
   * record's bytes are valid only until the next one is asked for (one buffer is reused).
   */
  async *read(opts: { recycle?: boolean } = {}): AsyncGenerator<Uint8Array> {
    let written = 0;
    let spare = Buffer.allocUnsafe(0);
    for (;;) {
      if (this.failed) throw this.failed;
      await this.writing;
      written = this.writePos;
      while (this.readPos + 4 <= written) {
        const len = Buffer.alloc(4);
        await this.fh.read(len, 0, 4, this.readPos);
        const n = len.readUInt32LE(0);
        if (opts.recycle && spare.length < n) spare = Buffer.allocUnsafe(Math.max(n, spare.length * 1.25) | 0);
        const rec = opts.recycle ? spare.subarray(0, n) : Buffer.allocUnsafe(n);
        for (let got = 0; got < n; ) {
          const { bytesRead } = await this.fh.read(rec, got, n - got, this.readPos + 4 + got);
          if (bytesRead === 0) throw new Error(`spool ${this.path} ended inside a record`);
          got += bytesRead;
        }
        this.readPos += 4 + n;
        yield rec;
      }
      if (this.ended && this.readPos >= this.writePos) return;
      await new Promise<void>((r) => {
        this.wake = r;
        if (this.ended || this.failed || this.writePos > written) r();
      });
      this.wake = null;
    }
  }

  /** Closes and deletes the file. */
  async close(): Promise<void> {
    this.unregister();
    await this.fh.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }
}
