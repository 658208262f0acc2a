/**
 * bench/run: `noggin run` (runJob) on ../shared/videos clips (or BENCH_VIDEOS, comma
 * separated; BENCH_HEAD, default fox; BENCH_SECONDS to cut clips, default whole clip).
 * For each clip, in the same run: the real-time factor (processing time / clip duration),
 * each stage's throughput (capture, render, plate, compose+encode frames/s), and peak
 * memory (this process's max RSS; Chromium and ffmpeg are separate processes and not
 * included; sampled RSS of the process tree is printed too). Prints one JSON line per clip.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJob } from '../composite/index.js';
import { PROJECT_ROOT } from '../system/paths.js';

const shared = join(PROJECT_ROOT, '..', 'shared', 'videos');
const videos = process.env.BENCH_VIDEOS?.split(',') ?? ['presenter-1.mp4', 'presenter-2.mp4', 'presenter-3.mp4', 'presenter-4.mp4'].map((v) => join(shared, v));
const head = process.env.BENCH_HEAD ?? 'fox';
const seconds = process.env.BENCH_SECONDS ? Number(process.env.BENCH_SECONDS) : null;

/** RSS (bytes) of this process and all its descendants, from /proc. */
function treeRss(): number {
  const kids = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'latin1');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(f[1]);
      rss.set(Number(d), Number(f[21]) * 4096);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid)!.push(Number(d));
    } catch {
      /* gone */
    }
  }
  let total = 0;
  const stack = [process.pid];
  while (stack.length) {
    const p = stack.pop()!;
    total += rss.get(p) ?? 0;
    stack.push(...(kids.get(p) ?? []));
  }
  return total;
}

const dir = await mkdtemp(join(tmpdir(), 'noggin-bench-run-'));
try {
  for (const v of videos) {
    let video = v;
    if (seconds) {
      video = join(dir, `cut-${v.split('/').pop()}`);
      spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', v, '-t', String(seconds), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-c:a', 'aac', video]);
    }
    let peakTree = 0;
    const timer = setInterval(() => (peakTree = Math.max(peakTree, treeRss())), 250);
    const rssBefore = process.memoryUsage().rss;
    const s = await runJob({ video, head, output: join(dir, 'out.mp4') });
    clearInterval(timer);
    const r1 = (x: number) => Math.round(x * 10) / 10;
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
        peakTreeRssMB: Math.round(peakTree / 2 ** 20),
      }),
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
process.exit(0);
