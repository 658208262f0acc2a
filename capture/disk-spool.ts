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

  /** Appends one record (writes are serialised). */
  append(record: Uint8Array): Promise<void> {
    const buf = Buffer.allocUnsafe(4 + record.length);
    buf.writeUInt32LE(record.length, 0);
    buf.set(record, 4);
    const at = this.writePos;
    this.writePos += buf.length;
    this.writing = this.writing.then(async () => {
      await this.fh.write(buf, 0, buf.length, at);
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

  /** Reads the records in order, waiting for the writer, until `end()`. */
  async *read(): AsyncGenerator<Uint8Array> {
    let written = 0;
    for (;;) {
      if (this.failed) throw this.failed;
      await this.writing;
      written = this.writePos;
      while (this.readPos + 4 <= written) {
        const len = Buffer.alloc(4);
        await this.fh.read(len, 0, 4, this.readPos);
        const n = len.readUInt32LE(0);
        const rec = Buffer.alloc(n);
        await this.fh.read(rec, 0, n, this.readPos + 4);
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
