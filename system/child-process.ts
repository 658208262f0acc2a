/**
 * Child processes (ffmpeg, ffprobe) as explicit state machines with timeouts, always
 * cleaned up: registered with the process-wide cleanup so Ctrl-C or an error never leaves
 * one running.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { log } from '../core/log.js';
import { onCleanup } from './cleanup.js';

/** Lifecycle of a managed child. */
export type ChildState = 'starting' | 'running' | 'stopping' | 'exited' | 'failed' | 'killed' | 'timedOut';

/** How a managed child ended. */
export interface ChildExit {
  readonly state: Exclude<ChildState, 'starting' | 'running' | 'stopping'>;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last 8 KB of stderr (for error messages). */
  readonly stderrTail: string;
}

/** Options for `ManagedChild.start`. */
export interface ChildOptions {
  /** Kill the child when it runs longer than this (ms). Default: no limit. */
  readonly timeoutMs?: number;
  /** Called for every complete stderr line. */
  readonly onStderrLine?: (line: string) => void;
  /** Keep stdin open as a pipe (default: ignored). */
  readonly stdin?: boolean;
}

/** A spawned child with explicit states, a timeout and guaranteed cleanup. */
export class ManagedChild {
  private _state: ChildState = 'starting';
  private stderrTail = '';
  private readonly unregister: () => void;
  private timer?: NodeJS.Timeout;
  /** Resolves when the child has ended, whatever the reason. */
  readonly exited: Promise<ChildExit>;
  readonly proc: ChildProcessByStdio<Writable | null, Readable, Readable>;

  private constructor(readonly label: string, cmd: string, args: readonly string[], opts: ChildOptions) {
    log.debug({ cmd: [cmd, ...args].map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ') }, `${label}: spawn`);
    this.proc = spawn(cmd, args, { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] }) as ChildProcessByStdio<Writable | null, Readable, Readable>;
    this.unregister = onCleanup(label, async () => void (await this.kill()), () => this.proc.kill('SIGKILL'));
    let partial = '';
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-8192);
      if (!opts.onStderrLine) return;
      partial += chunk;
      let i: number;
      while ((i = partial.indexOf('\n')) >= 0) {
        opts.onStderrLine(partial.slice(0, i).replace(/\r$/, ''));
        partial = partial.slice(i + 1);
      }
    });
    this.proc.once('spawn', () => {
      if (this._state === 'starting') this._state = 'running';
    });
    if (opts.timeoutMs) {
      this.timer = setTimeout(() => {
        log.warn(`${label}: timed out after ${opts.timeoutMs} ms, killing it`);
        this._state = 'timedOut';
        void this.kill();
      }, opts.timeoutMs);
      this.timer.unref();
    }
    this.exited = new Promise<ChildExit>((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
        clearTimeout(this.timer);
        this.unregister();
        if (this._state !== 'timedOut' && this._state !== 'killed') {
          this._state = spawnError || code !== 0 ? 'failed' : 'exited';
        }
        if (spawnError) this.stderrTail += spawnError.message;
        log.debug({ code, signal, state: this._state }, `${label}: ended`);
        resolve({ state: this._state as ChildExit['state'], code, signal, stderrTail: this.stderrTail });
      };
      this.proc.once('error', (e) => finish(null, null, e));
      this.proc.once('close', (code, signal) => finish(code, signal));
    });
  }

  /** Spawns `cmd args` (logged at debug level). */
  static start(label: string, cmd: string, args: readonly string[], opts: ChildOptions = {}): ManagedChild {
    return new ManagedChild(label, cmd, args, opts);
  }

  /** Current state. */
  get state(): ChildState {
    return this._state;
  }

  /** Asks the child to stop (SIGTERM), then SIGKILL after `graceMs`. Resolves when it has ended. */
  async kill(graceMs = 2000): Promise<ChildExit> {
    if (this._state === 'starting' || this._state === 'running' || this._state === 'timedOut') {
      if (this._state !== 'timedOut') this._state = 'killed';
      this.proc.kill('SIGTERM');
      const t = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
      t.unref();
      const r = await this.exited;
      clearTimeout(t);
      return r;
    }
    return this.exited;
  }
}

/** Runs a command to completion and returns its stdout; rejects with the exit info on failure. */
export async function runToCompletion(
  label: string,
  cmd: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<{ stdout: string; exit: ChildExit }> {
  const child = ManagedChild.start(label, cmd, args, { timeoutMs });
  const chunks: Buffer[] = [];
  child.proc.stdout.on('data', (c: Buffer) => chunks.push(c));
  const exit = await child.exited;
  return { stdout: Buffer.concat(chunks).toString('utf8'), exit };
}

/** Frames written to a child's stdin (ffmpeg encoders): each write waits for the pipe. */
export interface StdinSink {
  /** Writes one frame; rejects with the mapped failure when the child has died. */
  write(frame: Uint8Array): Promise<void>;
  /** Closes stdin and waits for a clean exit. */
  finish(): Promise<void>;
  /** Stops the child (its output is to be discarded). */
  abort(): Promise<void>;
}

/**
 * Wraps a child started with `stdin: true` as a frame sink. `failure(why)` turns the last
 * stderr line (or the pipe error) into the error callers see.
 */
export function stdinSink(child: ManagedChild, failure: (why: string) => Error): StdinSink {
  const stdin = child.proc.stdin!;
  let broken: Error | null = null;
  stdin.on('error', (e) => {
    broken = e;
  });
  child.proc.stdout.resume();
  const lastLine = (s: string) => s.trim().split('\n').pop() ?? '';
  return {
    write(frame) {
      if (broken || (child.state !== 'running' && child.state !== 'starting')) {
        return child.exited.then((x) => {
          throw failure(lastLine(x.stderrTail) || broken?.message || `ffmpeg ${x.state}`);
        });
      }
      return new Promise<void>((resolve, reject) => {
        stdin.write(frame, (err) => {
          if (!err) return resolve();
          void child.exited.then((x) => reject(failure(lastLine(x.stderrTail) || err.message)));
        });
      });
    },
    async finish() {
      stdin.end();
      const x = await child.exited;
      if (x.state !== 'exited') throw failure(lastLine(x.stderrTail) || `ffmpeg ${x.state}, exit ${x.code}`);
    },
    async abort() {
      stdin.destroy();
      await child.kill(500);
    },
  };
}
