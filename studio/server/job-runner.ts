/**
 * Runs one studio export: `noggin run` as a child process (the same command line a user
 * types, so the file is the one `noggin run` makes; a child can be cancelled at any
 * moment, and its own Ctrl-C cleanup stops Chromium and ffmpeg and removes partial output),
 * then, when asked, the Live Link CSV from the track and the alpha layer (`noggin render`).
 * Progress comes from the children's `--json` lines.
 */
import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { liveLinkCsvHeader, liveLinkCsvRow } from '../../capture/live-link-csv.js';
import { NogginError } from '../../core/errors.js';
import { log } from '../../core/log.js';
import { AtomicFileWriter, openTrack } from '../../core/track-file.js';
import { ManagedChild } from '../../system/child-process.js';
import { PROJECT_ROOT } from '../../system/paths.js';
import type { JobFileKind } from './api-types.js';

/** The noggin CLI the jobs run. */
export const NOGGIN_CLI = join(PROJECT_ROOT, 'dist', 'cli', 'main.js');

/** What one run needs. */
export interface RunSpec {
  /** Absolute path of the source video. */
  readonly source: string;
  /** Shipped head name. */
  readonly head: string;
  /** Recoloured profile to use instead of the head's own, or null. */
  readonly profilePath: string | null;
  readonly crf: number;
  readonly preset: string;
  readonly antialias: boolean;
  readonly layer: boolean;
  readonly csv: boolean;
  /** Empty folder the outputs go to (removed by the caller on failure). */
  readonly outDir: string;
}

/** File names of a run's outputs inside `outDir`. */
export const OUTPUT_FILES: Readonly<Record<JobFileKind, string>> = {
  result: 'result.mp4',
  track: 'track.ndjson',
  csv: 'track.csv',
  layer: 'layer.mov',
};

/** The `noggin run` arguments for a spec (the CLI's own defaults stand for what is not given). Pure. */
export function runArgs(s: RunSpec): string[] {
  return [
    'run',
    s.source,
    '--head',
    s.head,
    '-o',
    join(s.outDir, OUTPUT_FILES.result),
    '--keep-track',
    '--crf',
    String(s.crf),
    '--preset',
    s.preset,
    ...(s.profilePath ? ['--profile', s.profilePath] : []),
    ...(s.antialias ? [] : ['--no-antialias']),
    '--json',
  ];
}

/** Reads the `noggin <component>: <problem>. Fix: <fix>.` line out of a child's stderr. Pure. */
export function parseErrorLine(stderr: string): { component: string; message: string; fix: string } | null {
  const lines = stderr.trim().split('\n').reverse();
  for (const l of lines) {
    const m = /^noggin ([\w-]+): (.*)\. Fix: (.*?)\.?$/.exec(l.trim());
    if (m) return { component: m[1], message: m[2], fix: m[3] };
  }
  return null;
}

/** One running export; `cancel()` stops it. */
export class JobRun {
  private child: ManagedChild | null = null;
  private cancelled = false;
  /** Resolves with the kinds of file written, rejects with a NogginError. */
  readonly done: Promise<JobFileKind[]>;

  /**
   * @param spec what to run
   * @param onProgress called with each stage's frames done / total
   */
  constructor(
    private readonly spec: RunSpec,
    private readonly onProgress: (stage: string, done: number, total: number) => void,
  ) {
    this.done = this.run();
  }

  /** True once `cancel()` was called. */
  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** Stops the run (SIGTERM, then SIGKILL after 10 s) and waits for the child to end. */
  async cancel(): Promise<void> {
    this.cancelled = true;
    await this.child?.kill(10_000);
    await this.done.catch(() => undefined);
  }

  private async run(): Promise<JobFileKind[]> {
    const s = this.spec;
    await this.cli(runArgs(s));
    const files: JobFileKind[] = ['result'];
    const track = (await readdir(s.outDir)).find((f) => f.endsWith('.track.ndjson') && !f.startsWith('.'));
    if (track) {
      await rename(join(s.outDir, track), join(s.outDir, OUTPUT_FILES.track));
      files.push('track');
      if (s.csv) {
        await this.writeCsv();
        files.push('csv');
      }
      if (s.layer) {
        this.checkCancelled();
        await this.cli([
          'render',
          join(s.outDir, OUTPUT_FILES.track),
          '--head',
          s.head,
          '-o',
          join(s.outDir, OUTPUT_FILES.layer),
          ...(s.profilePath ? ['--profile', s.profilePath] : []),
          ...(s.antialias ? [] : ['--no-antialias']),
          '--json',
        ], 'layer');
        files.push('layer');
      }
    }
    return files;
  }

  private checkCancelled(): void {
    if (this.cancelled) throw new NogginError('studio', 'the job was cancelled', 'export again');
  }

  /** Runs the CLI; `stageAs` renames every progress stage (the layer's render is not the run's). */
  private async cli(args: string[], stageAs?: string): Promise<void> {
    this.checkCancelled();
    const child = ManagedChild.start('studio-job', process.execPath, [NOGGIN_CLI, '--log-level', log.level === 'silent' ? 'silent' : 'warn', ...args], {
      onStderrLine: (l) => log.debug({ line: l }, 'studio-job: stderr'),
    });
    this.child = child;
    let partial = '';
    child.proc.stdout.setEncoding('utf8');
    child.proc.stdout.on('data', (chunk: string) => {
      partial += chunk;
      let i: number;
      while ((i = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, i);
        partial = partial.slice(i + 1);
        try {
          const ev = JSON.parse(line) as { event?: string; stage?: string; done?: number; total?: number };
          if (ev.event === 'progress' && typeof ev.stage === 'string' && typeof ev.done === 'number' && typeof ev.total === 'number') {
            this.onProgress(stageAs ?? ev.stage, ev.done, ev.total);
          }
        } catch {
          /* not a progress line */
        }
      }
    });
    const exit = await child.exited;
    this.child = null;
    this.checkCancelled();
    if (exit.state !== 'exited') {
      const e = parseErrorLine(exit.stderrTail);
      if (e) throw new NogginError(e.component, e.message, e.fix);
      log.warn({ stderr: exit.stderrTail.slice(-2000) }, `studio-job: noggin ${args[0]} failed`);
      const last = exit.stderrTail.trim().split('\n').pop()?.slice(0, 300) ?? '';
      throw new NogginError('studio', `noggin ${args[0]} ended with ${exit.signal ?? `exit code ${exit.code}`}${last ? ` (${last})` : ''}`, 'see the server log (--log-level debug)');
    }
  }

  private async writeCsv(): Promise<void> {
    const t = await openTrack(join(this.spec.outDir, OUTPUT_FILES.track));
    const out = await AtomicFileWriter.open(join(this.spec.outDir, OUTPUT_FILES.csv), 'studio');
    try {
      await out.write(liveLinkCsvHeader() + '\n');
      for await (const f of t.frames) {
        const row = liveLinkCsvRow(f, t.header.source.fps);
        if (row) await out.write(row + '\n');
      }
      await out.commit();
    } catch (e) {
      await out.abort();
      throw e;
    }
  }
}

/** Removes a run's output folder (after a failure or cancel). */
export async function removeOutputs(outDir: string): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
}
