/** Running the noggin CLI in tests, and checking that it left nothing behind. */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../system/paths.js';

/** ../shared beside the project (test videos, model); null when absent. */
export const SHARED = existsSync(join(PROJECT_ROOT, '..', 'shared', 'videos')) ? join(PROJECT_ROOT, '..', 'shared') : null;
/** A shared test video path. */
export const sharedVideo = (name: string) => join(SHARED ?? '/nonexistent', 'videos', name);

/** Result of one CLI run. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Processes still alive afterwards that were started by this run. */
  readonly leftovers: string[];
}

/** Pids of processes whose environment carries `tag`. */
export function processesTagged(tag: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(tag)) {
        out.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').slice(0, 80)}`);
      }
    } catch {
      /* gone */
    }
  }
  return out;
}

/**
 * Runs `noggin ARGS`; `during(pid, tag)` may act on the running process (kill Chromium,
 * send SIGINT...). Leftover processes are looked up 500 ms after exit.
 */
export async function runCli(
  args: readonly string[],
  opts: { env?: Record<string, string>; during?: (pid: number, tag: string, stderr: () => string) => Promise<void>; timeoutMs?: number } = {},
): Promise<CliResult> {
  const tag = `NOGGIN_TEST_TAG=${randomUUID()}`;
  const [k, v] = tag.split('=');
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'dist', 'cli', 'main.js'), ...args], {
    env: { ...process.env, ...opts.env, [k]: v },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180000);
  if (opts.during) await opts.during(child.pid!, v, () => stderr);
  const code = await exited;
  clearTimeout(timer);
  await new Promise((r) => setTimeout(r, 500));
  return { code, stdout, stderr, leftovers: processesTagged(v) };
}

/** Waits until `cond()` holds (polling), or throws after `ms`. */
export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs ffmpeg synchronously (test fixtures); throws on failure. */
export function ffmpeg(args: readonly string[]): void {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr}`);
}

/** ffprobe's decoded frame count of the first video stream. */
export function countFrames(path: string): number {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

/** Presentation times (ms, from the first) of every decoded frame, via ffprobe. */
export function framePtsMs(path: string): number[] {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', path], { encoding: 'utf8', maxBuffer: 1 << 26 });
  // Rows may carry a trailing comma and side-data rows are empty: keep the first field of non-empty rows.
  const t = r.stdout
    .split('\n')
    .map((l) => l.split(',')[0].trim())
    .filter((s) => s !== '')
    .map(Number);
  return t.map((x) => (x - t[0]) * 1000);
}
