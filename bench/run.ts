/**
 * bench/run: `noggin run` (runJob) on ../shared/videos clips (or BENCH_VIDEOS, comma
 * separated; BENCH_HEAD, default fox; BENCH_SECONDS to cut clips, default whole clip).
 * For each clip, in the same run: the real-time factor (processing time / clip duration),
 * each stage's throughput (capture, render, plate, compose+encode frames/s), and peak
 * memory (this process's max RSS; Chromium and ffmpeg are separate processes and not
 * included; sampled RSS of the process tree is printed too), and where the CPU went: CPU
 * seconds of the process tree by kind (Node, each kind of Chromium process, each ffmpeg
 * role) and their sum as a share of what the cores could give in that time. With
 * BENCH_COVERAGE=1 the run also keeps its track (a little more work) and the line gives the
 * coverage of each clip: the share of the original face oval that differs from the source,
 * mean and worst over the face frames (goal: at least 0.99 in every one). Prints one JSON
 * line per clip.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJob } from '../composite/index.js';
import { openTrack } from '../core/track-file.js';
import type { TrackFrame } from '../core/track.js';
import { videoCoverage } from '../test/helpers/coverage.js';
import { hasNodeFlags, NODE_FLAGS } from '../system/node-flags.js';
import { PROJECT_ROOT } from '../system/paths.js';
import { fileURLToPath } from 'node:url';

const shared = join(PROJECT_ROOT, '..', 'shared', 'videos');
const videos = process.env.BENCH_VIDEOS?.split(',') ?? ['presenter-1.mp4', 'presenter-2.mp4', 'presenter-3.mp4', 'presenter-4.mp4'].map((v) => join(shared, v));
const head = process.env.BENCH_HEAD ?? 'fox';
const seconds = process.env.BENCH_SECONDS ? Number(process.env.BENCH_SECONDS) : null;
const coverage = process.env.BENCH_COVERAGE === '1';

/** Clock ticks per second of /proc/PID/stat's CPU times (Linux: 100). */
const TICKS = 100;

/** One process of the tree as /proc shows it. */
interface ProcSample {
  readonly pid: number;
  /** Start time (ticks after boot): with the pid, tells a reused pid from the old one. */
  readonly start: string;
  readonly rssBytes: number;
  /** user + system CPU, seconds. */
  readonly cpuS: number;
}

/** This process and all its descendants, from /proc. */
function processTree(): ProcSample[] {
  const kids = new Map<number, number[]>();
  const all = new Map<number, ProcSample>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'latin1');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(f[1]);
      all.set(Number(d), { pid: Number(d), start: f[19], rssBytes: Number(f[21]) * 4096, cpuS: (Number(f[11]) + Number(f[12])) / TICKS });
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid)!.push(Number(d));
    } catch {
      /* gone */
    }
  }
  const out: ProcSample[] = [];
  const stack = [process.pid];
  while (stack.length) {
    const p = stack.pop()!;
    const s = all.get(p);
    if (s) out.push(s);
    stack.push(...(kids.get(p) ?? []));
  }
  return out;
}

/** What a process of a run is, from its command line. */
function processKind(pid: number): string {
  if (pid === process.pid) return 'node';
  let cmd = '';
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ');
  } catch {
    return 'other';
  }
  if (/chrom/.test(cmd)) return `chromium-${/--type=([\w-]+)/.exec(cmd)?.[1] ?? 'browser'}`;
  if (/ffmpeg/.test(cmd)) {
    if (/pipe:0/.test(cmd)) return 'ffmpeg-encode';
    if (/mjpeg/.test(cmd)) return 'ffmpeg-landmarker-frames';
    if (/select=/.test(cmd)) return 'ffmpeg-sampled-frames';
    return 'ffmpeg-decode';
  }
  return 'other';
}

/** Samples the process tree: peak RSS, and CPU seconds by process kind since `start()`. */
class TreeSampler {
  peakRssBytes = 0;
  private readonly last = new Map<string, { kind: string; base: number; cpuS: number }>();
  private timer: NodeJS.Timeout | null = null;

  start(): void {
    // Node's own CPU before the run is not the run's.
    for (const p of processTree()) this.last.set(`${p.pid}:${p.start}`, { kind: processKind(p.pid), base: p.cpuS, cpuS: p.cpuS });
    this.timer = setInterval(() => this.sample(), 250);
  }

  private sample(): void {
    let rss = 0;
    for (const p of processTree()) {
      rss += p.rssBytes;
      const key = `${p.pid}:${p.start}`;
      const seen = this.last.get(key);
      if (seen) {
        seen.cpuS = p.cpuS;
        // Chromium's zygote forks its children: they show its command line until they set their own.
        if (seen.kind === 'chromium-zygote') seen.kind = processKind(p.pid);
      } else this.last.set(key, { kind: processKind(p.pid), base: 0, cpuS: p.cpuS });
    }
    this.peakRssBytes = Math.max(this.peakRssBytes, rss);
  }

  /** CPU seconds by kind (processes that ended lose at most their last 250 ms). */
  stop(): Record<string, number> {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    const by: Record<string, number> = {};
    for (const v of this.last.values()) by[v.kind] = (by[v.kind] ?? 0) + v.cpuS - v.base;
    return by;
  }
}

// Measure the process `noggin run` is: started with the same V8 flags.
if (!hasNodeFlags()) {
  const r = spawnSync(process.execPath, [...NODE_FLAGS, ...process.execArgv, fileURLToPath(import.meta.url)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const dir = await mkdtemp(join(tmpdir(), 'noggin-bench-run-'));
try {
  for (const v of videos) {
    let video = v;
    if (seconds) {
      video = join(dir, `cut-${v.split('/').pop()}`);
      spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', v, '-t', String(seconds), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-c:a', 'aac', video]);
    }
    const tree = new TreeSampler();
    tree.start();
    const rssBefore = process.memoryUsage().rss;
    const output = join(dir, 'out.mp4');
    const s = await runJob({ video, head, output, keepTrack: coverage });
    const cpu = tree.stop();
    let covered: { faces: number; mean: number; worst: number } | null = null;
    if (coverage && s.trackCache) {
      const frames: TrackFrame[] = [];
      for await (const f of (await openTrack(s.trackCache.path)).frames) frames.push(f);
      covered = await videoCoverage(video, output, frames);
      await rm(s.trackCache.path, { force: true });
    }
    const r1 = (x: number) => Math.round(x * 10) / 10;
    const cpuTotal = Object.values(cpu).reduce((a, b) => a + b, 0);
    console.log(
      JSON.stringify({
        video: v.split('/').pop(),
        seconds: r1(s.durationMs / 1000),
        frames: s.frames,
        elapsedS: r1(s.elapsedMs / 1000),
        realTimeFactor: Math.round(s.realTimeFactor * 100) / 100,
        stagesFps: Object.fromEntries(Object.entries(s.stages).map(([k, st]) => [k, r1(st.fps)])),
        peakNodeRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
        nodeRssBeforeMB: Math.round(rssBefore / 2 ** 20),
        peakTreeRssMB: Math.round(tree.peakRssBytes / 2 ** 20),
        cpuSeconds: Object.fromEntries(Object.entries(cpu).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, r1(v)])),
        cpuSecondsTotal: r1(cpuTotal),
        // 1.0: every core busy with the run for all of it.
        cpuShareOfCores: Math.round((cpuTotal / (s.elapsedMs / 1000) / availableParallelism()) * 100) / 100,
        ...(covered ? { coverage: { faceFrames: covered.faces, mean: Math.round(covered.mean * 10000) / 10000, worst: Math.round(covered.worst * 10000) / 10000 } } : {}),
      }),
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
process.exit(0);
