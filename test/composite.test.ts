/**
 * The composite stage and `noggin run` (API level) on a short cut of a real clip: the
 * output file matches the source (frames, size, rate, audio copied), the original face is
 * covered in every face frame, composites are deterministic, and failures leave no OUT.
 * Needs ../shared (skipped without it); the end-to-end run takes ~1 min on 2 busy cores.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compositeVideo, runJob, type RunSummary } from '../composite/index.js';
import { NogginError } from '../core/errors.js';
import { openTrack } from '../core/track-file.js';
import type { TrackFrame } from '../core/track.js';
import { probeVideo } from '../system/ffmpeg.js';
import { startLayerEncoder } from '../system/ffmpeg-encode.js';
import { PROJECT_ROOT } from '../system/paths.js';
import { ffmpeg, SHARED, sharedVideo } from './helpers/cli.js';
import { videoCoverage } from './helpers/coverage.js';
import { collect } from './helpers/synthetic.js';

let dir = '';
let clip = '';
let run: RunSummary | null = null;
let frames: TrackFrame[] = [];
let layer = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'noggin-composite-'));
  if (!SHARED) return;
  clip = join(dir, 'clip.mp4');
  ffmpeg(['-i', sharedVideo('presenter-1.mp4'), '-t', '1.5', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-c:a', 'aac', clip]);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function streamsOf(path: string) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,codec_name,width,height,r_frame_rate,nb_read_frames,pix_fmt', '-of', 'json', path], { encoding: 'utf8' });
  return JSON.parse(r.stdout).streams as Record<string, string | number>[];
}

function audioMd5(path: string): string {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:a', '-c', 'copy', '-f', 'md5', '-'], { encoding: 'utf8' });
  return r.stdout.trim();
}

function md5(b: Buffer): string {
  return createHash('md5').update(b).digest('hex');
}


test('run: capture -> render -> composite writes the source\'s frames, size, rate and audio; track cached; sheet written', { skip: !SHARED, timeout: 240000 }, async () => {
  const out = join(dir, 'out', 'fox.mp4');
  await mkdir(join(dir, 'out'));
  run = await runJob({ video: clip, head: 'fox', output: out, keepTrack: true, sheet: true, workers: 1 });
  const src = streamsOf(clip);
  const res = streamsOf(out);
  const sv = src.find((s) => s.codec_type === 'video')!;
  const rv = res.find((s) => s.codec_type === 'video')!;
  assert.equal(rv.codec_name, 'h264');
  assert.equal(rv.pix_fmt, 'yuv420p');
  assert.deepEqual([rv.width, rv.height, rv.r_frame_rate, rv.nb_read_frames], [sv.width, sv.height, sv.r_frame_rate, sv.nb_read_frames]);
  assert.equal(audioMd5(out), audioMd5(clip), 'audio packets copied untouched');
  assert.ok(run.trackCache && existsSync(run.trackCache.path), 'track cached');
  assert.equal(run.sheets.length, 1);
  assert.ok(existsSync(run.sheets[0]));
  // faststart: moov before mdat.
  const head = (await readFile(out)).subarray(0, 4096).toString('latin1');
  assert.ok(head.indexOf('moov') >= 0 && (head.indexOf('mdat') < 0 || head.indexOf('moov') < head.indexOf('mdat')), 'moov first');
  frames = await collect((await openTrack(run.trackCache!.path)).frames);
  assert.equal(frames.length, Number(sv.nb_read_frames));
});

test('run: in every face frame >= 99% of the original face oval differs from the source', { skip: !SHARED, timeout: 120000 }, async () => {
  assert.ok(run, 'needs the run above');
  const { worst } = await videoCoverage(clip, run!.output, frames);
  assert.ok(worst >= 0.99, `worst frame covers ${(worst * 100).toFixed(2)}% of the face oval`);
});

test('run: a second run on the same video reuses the cached track', { skip: !SHARED, timeout: 180000 }, async () => {
  assert.ok(run, 'needs the run above');
  const out = join(dir, 'out', 'bear.mp4');
  const r = await runJob({ video: clip, head: 'bear', output: out, keepTrack: true });
  assert.equal(r.trackCache?.hit, true);
  assert.equal(r.frames, frames.length);
});

/** A synthetic layer: an opaque disc over the face (stands in for a render, fast). */
async function syntheticLayer(path: string): Promise<void> {
  const info = await probeVideo(clip);
  const { width: w, height: h } = info;
  const enc = startLayerEncoder({ width: w, height: h, fps: info.fps, output: path, codec: 'png', pngDir: null });
  // system/ffmpeg-encode.ts refuses writes until ffmpeg's 'spawn' event: let it come.
  await new Promise((r) => setTimeout(r, 300));
  for (const f of frames) {
    const buf = new Uint8Array(w * h * 4);
    if (f.face) {
      const lm = f.face.landmarks;
      const cx = lm[1 * 3] * w;
      const cy = lm[1 * 3 + 1] * h;
      const r = Math.abs(lm[152 * 3 + 1] - lm[10 * 3 + 1]) * h * 0.75;
      for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(h, cy + r); y++) {
        for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(w, cx + r); x++) {
          const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
          if (d > r) continue;
          const p = (y * w + x) * 4;
          buf[p] = 230;
          buf[p + 1] = 120;
          buf[p + 2] = 30;
          buf[p + 3] = d > r - 1 ? 128 : 255;
        }
      }
    }
    await enc.write(buf);
  }
  await enc.finish();
}

test('composite: the same inputs twice give identical files', { skip: !SHARED, timeout: 120000 }, async () => {
  assert.ok(run, 'needs the run above');
  layer = join(dir, 'layer.mov');
  await syntheticLayer(layer);
  const o1 = join(dir, 'a.mp4');
  const o2 = join(dir, 'b.mp4');
  const s = await compositeVideo({ video: clip, layer, track: run!.trackCache!.path, output: o1 });
  await compositeVideo({ video: clip, layer, track: run!.trackCache!.path, output: o2 });
  assert.equal(s.frames, frames.length);
  assert.equal(md5(await readFile(o1)), md5(await readFile(o2)));
});

test('composite: missing output folder, bad layer, mismatched track -> one-line errors, nothing written', { skip: !SHARED, timeout: 60000 }, async () => {
  assert.ok(layer, 'needs the layer above');
  const track = run!.trackCache!.path;
  await assert.rejects(compositeVideo({ video: clip, layer, track, output: join(dir, 'nope', 'x.mp4') }), (e: unknown) => e instanceof NogginError && /does not exist/.test(e.oneLine()) && !e.oneLine().includes('\n'));
  const bad = join(dir, 'bad.mov');
  await writeFile(bad, 'not a video');
  await assert.rejects(compositeVideo({ video: clip, layer: bad, track, output: join(dir, 'c.mp4') }), (e: unknown) => e instanceof NogginError && /layer/.test(e.oneLine()));
  const other = join(dir, 'other.mp4');
  ffmpeg(['-i', clip, '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', other]);
  await assert.rejects(compositeVideo({ video: other, layer, track, output: join(dir, 'd.mp4') }), (e: unknown) => e instanceof NogginError && /track/.test(e.oneLine()));
  assert.deepEqual((await readdir(dir)).filter((f) => /^[cd]\.mp4|\.tmp$/.test(f)), []);
});

test('composite: a read-only output folder and a disk that fills up mid-write -> one-line errors, no OUT, no temporary file', { skip: !SHARED, timeout: 90000 }, async (t) => {
  assert.ok(layer, 'needs the layer above');
  const track = run!.trackCache!.path;
  const ro = join(dir, 'ro');
  await mkdir(ro);
  // A read-only bind mount refuses writes even to root (chmod alone does not).
  const bind = spawnSync('mount', ['--bind', '-o', 'ro', ro, ro]);
  if (bind.status !== 0) return t.skip('mount needs root');
  {
    try {
      await assert.rejects(compositeVideo({ video: clip, layer, track, output: join(ro, 'x.mp4') }), (e: unknown) => e instanceof NogginError && /not writable/.test(e.oneLine()));
    } finally {
      spawnSync('umount', [ro]);
    }
  }
  const full = join(dir, 'full');
  await mkdir(full);
  assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', full]).status, 0, 'a small tmpfs for the full disk');
  try {
    await assert.rejects(
      compositeVideo({ video: clip, layer, track, output: join(full, 'x.mp4'), crf: 0, preset: 'ultrafast' }),
      (e: unknown) => e instanceof NogginError && /disk is full/.test(e.oneLine()) && /free disk space/.test(e.oneLine()),
    );
    assert.deepEqual(await readdir(full), [], 'no OUT, no temporary file');
  } finally {
    spawnSync('umount', [full]);
  }
});

test('run: a head file that is not a model fails at once with a one-line error, no OUT', { skip: !SHARED, timeout: 60000 }, async () => {
  const bad = join(dir, 'broken.glb');
  await writeFile(bad, Buffer.from('glTF garbage that is not a model'));
  const out = join(dir, 'broken.mp4');
  const t0 = Date.now();
  await assert.rejects(runJob({ video: clip, head: bad, output: out }), (e: unknown) => e instanceof NogginError && !e.oneLine().includes('\n'));
  assert.ok(Date.now() - t0 < 30000, 'fails before capture');
  assert.equal(existsSync(out), false);
});

test('composite: SIGINT mid-run leaves no OUT and no temporary file', { skip: !SHARED, timeout: 60000 }, async () => {
  assert.ok(layer, 'needs the layer above');
  const out = join(dir, 'int', 'x.mp4');
  await mkdir(join(dir, 'int'));
  const script = join(dir, 'int.mjs');
  const url = (p: string) => 'file://' + join(PROJECT_ROOT, 'dist', p);
  await writeFile(
    script,
    `import { compositeVideo } from '${url('composite/index.js')}';
import { installSignalHandlers } from '${url('system/cleanup.js')}';
installSignalHandlers(() => 'interrupted');
await compositeVideo({ video: ${JSON.stringify(clip)}, layer: ${JSON.stringify(layer)}, track: ${JSON.stringify(run!.trackCache!.path)}, output: ${JSON.stringify(out)}, preset: 'veryslow',
  onProgress: (p) => { if (p.frames === 5) process.stdout.write('busy\\n'); } });`,
  );
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve) => child.stdout.on('data', (c: Buffer) => c.toString().includes('busy') && resolve()));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.once('close', r));
  assert.notEqual(code, 0); // 130 from the CLI; here the script's own top-level await may exit 1 first
  assert.deepEqual(await readdir(join(dir, 'int')), []);
});
