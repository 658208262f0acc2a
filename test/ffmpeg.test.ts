import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planSegments } from '../capture/landmark-frames.js';
import { isLocalUrl } from '../system/chromium.js';
import { analysisSize, decodeFrames, frameIndexAt, jpegSplitter, probeVideo, rawFrameBytes } from '../system/ffmpeg.js';
import { compositeEncoderArgs } from '../system/ffmpeg-composite.js';
import { openOutput } from '../composite/output.js';
import { rgbaToYuv420, yuv420Layout } from '../composite/yuv.js';
import { ffmpeg } from './helpers/cli.js';
import { collect, rng } from './helpers/synthetic.js';

let dir = '';
let video = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'noggin-ffmpeg-'));
  video = join(dir, 'count.mp4');
  // 90 frames at 30 fps, B-frames and a keyframe every 25 frames, so seeking is non-trivial.
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30:duration=3', '-c:v', 'libx264', '-g', '25', '-bf', '2', '-pix_fmt', 'yuv420p', video]);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('probe reads size, rate, frame count and per-frame times', async () => {
  const info = await probeVideo(video);
  assert.deepEqual([info.width, info.height, info.frameCount, info.rotationDeg], [320, 240, 90, 0]);
  assert.ok(Math.abs(info.fps - 30) < 1e-6);
  assert.equal(info.variableFrameRate, false);
  assert.ok(Math.abs(info.frameTimesMs[30] - 1000) < 0.01);
  assert.equal(frameIndexAt(info, 1000.4), 30);
});

test('a decode that starts mid-clip yields exactly the frames of a full decode (seeking is frame-exact)', async () => {
  // Also when the container starts later than 0 (ffmpeg measures -ss from the start; an
  // offset counted twice skipped frames, or a whole segment).
  const late = join(dir, 'late.mp4');
  ffmpeg(['-i', video, '-c', 'copy', '-output_ts_offset', '0.5', late]);
  for (const clip of [video, late]) {
    const info = await probeVideo(clip);
    const all = await collect(decodeFrames(info));
    assert.equal(all.length, 90);
    for (const [start, end] of [[37, 52], [50, 90], [1, 3]]) {
      const part = await collect(decodeFrames(info, { startFrame: start, endFrame: end }));
      assert.deepEqual(part.map((f) => f.index), Array.from({ length: end - start }, (_, i) => start + i), `${clip} from ${start}`);
      part.forEach((f) => assert.ok(f.data.equals(all[f.index].data), `frame ${f.index} pixels`));
      part.forEach((f) => assert.equal(f.timeMs, all[f.index].timeMs));
    }
  }
});

test('a sampled decode yields exactly the chosen frames of a full decode, also with B-frames', async () => {
  const info = await probeVideo(video);
  const all = await collect(decodeFrames(info));
  const picks = new Set([0, 1, 26, 27, 49, 50, 89, 120]);
  const part = await collect(decodeFrames(info, { frames: picks }));
  assert.deepEqual(part.map((f) => f.index), [0, 1, 26, 27, 49, 50, 89], 'in order, the out-of-range pick left out');
  part.forEach((f) => assert.ok(f.data.equals(all[f.index].data), `frame ${f.index} pixels`));
  assert.deepEqual(await collect(decodeFrames(info, { frames: new Set([60]), endFrame: 60 })), []);
});

test('JPEG frames split correctly whatever the chunk boundaries', async () => {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', video, '-frames:v', '12', '-pix_fmt', 'yuvj444p', '-c:v', 'mjpeg', '-q:v', '2', '-f', 'mjpeg', 'pipe:1'], { maxBuffer: 1 << 26 });
  const stream = r.stdout as Buffer;
  const whole = jpegSplitter().push(stream);
  assert.equal(whole.length, 12);
  assert.equal(Buffer.concat(whole).length, stream.length);
  const rand = rng(3);
  const s = jpegSplitter();
  const got: Buffer[] = [];
  for (let i = 0; i < stream.length; ) {
    const n = 1 + Math.floor(rand() * 9000);
    got.push(...s.push(stream.subarray(i, i + n)));
    i += n;
  }
  assert.equal(got.length, 12);
  got.forEach((g, i) => assert.ok(g.equals(whole[i])));
  const jpegFrames = await collect(decodeFrames(await probeVideo(video), { encoding: 'jpeg', endFrame: 5 }));
  assert.equal(jpegFrames.length, 5);
  assert.ok(jpegFrames.every((f) => f.data[0] === 0xff && f.data[1] === 0xd8 && f.data.at(-1) === 0xd9));
});

test('segments cover the clip exactly once; analysis size keeps the aspect and stays even', () => {
  for (const [n, w] of [[135, 2], [1800, 4], [50, 4], [61, 2]]) {
    const segs = planSegments(n, w);
    assert.equal(segs[0].start, 0);
    assert.equal(segs.at(-1)!.end, n);
    segs.slice(1).forEach((s, i) => assert.equal(s.start, segs[i].end));
  }
  assert.equal(planSegments(50, 4).length, 1);
  const a = analysisSize({ width: 3840, height: 2160 } as never, 1280);
  assert.deepEqual(a, { width: 1280, height: 720 });
  assert.deepEqual(analysisSize({ width: 700, height: 700 } as never, 1280), { width: 700, height: 700 });
});

test('pages may load only from their own loopback host', () => {
  assert.ok(isLocalUrl('http://127.0.0.1:4123/pages/capture.js'));
  assert.ok(isLocalUrl('blob:http://127.0.0.1:4123/abc'));
  assert.ok(!isLocalUrl('https://odml.pa.googleapis.com/v1/log'));
  assert.ok(!isLocalUrl('http://127.0.0.1.evil.com/'));
  assert.ok(!isLocalUrl('https://cdn.jsdelivr.net/npm/x'));
});

test('the delivery file of a rotated source is stored and tagged like the source, and displays upright', async () => {
  // A phone-style source: 320x240 pixels stored on their side (240x320), rotate=90 tag.
  const sideways = join(dir, 'sideways.mp4');
  const rotated = join(dir, 'rotated.mp4');
  ffmpeg(['-f', 'lavfi', '-i', 'color=c=black:size=320x240:rate=10:duration=0.5', '-vf', 'transpose=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', sideways]);
  ffmpeg(['-i', sideways, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
  const src = await probeVideo(rotated);
  assert.deepEqual([src.width, src.height, src.rotationDeg], [320, 240, 270]);
  // Upright frames with a red top-left quadrant (yuv420p, as the compositor writes them).
  const rgba = new Uint8Array(320 * 240 * 4);
  for (let y = 0; y < 240; y++) for (let x = 0; x < 320; x++) rgba.set(x < 160 && y < 120 ? [250, 0, 0, 255] : [0, 0, 0, 255], (y * 320 + x) * 4);
  const frame = rgbaToYuv420(rgba, 320, 240, { matrix: 'bt601', fullRange: false });
  const out = join(dir, 'out.mp4');
  const enc = await openOutput({ width: 320, height: 240, fps: 10, frameCount: src.frameCount, rotationDeg: src.rotationDeg, source: rotated, output: out, preset: 'ultrafast' });
  for (let i = 0; i < src.frameCount; i++) await enc.write(frame);
  await enc.commit();
  assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith('.')), [], 'no temporary file left');
  const got = await probeVideo(out);
  assert.deepEqual([got.width, got.height, got.codedWidth, got.codedHeight, got.rotationDeg], [320, 240, 240, 320, 270]);
  const [first] = await collect(decodeFrames(got, { endFrame: 1 }));
  const px = (x: number, y: number) => first.data[(y * 320 + x) * 4];
  assert.ok(px(40, 30) > 200 && px(280, 30) < 50 && px(40, 200) < 50, 'displayed upright: red at the top left only');
});

test('the delivery file of a variable-frame-rate source keeps each frame at its source time, audio untouched', async () => {
  // 25 fps for a second, then 12.5 fps; with a sine audio track.
  const vfr = join(dir, 'vfr.mp4');
  ffmpeg([
    '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25:duration=2', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2',
    '-vf', "setpts='if(lt(N,25),N*0.04,1+(N-25)*0.08)/TB'", '-fps_mode', 'vfr', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', vfr,
  ]);
  const src = await probeVideo(vfr);
  assert.equal(src.variableFrameRate, true);
  const out = join(dir, 'vfr-out.mp4');
  const enc = await openOutput({ width: 160, height: 120, fps: src.fps, frameCount: src.frameCount, variableFrameTimesMs: src.frameTimesMs, source: vfr, output: out, preset: 'veryfast' });
  const frame = new Uint8Array(yuv420Layout(160, 120).bytes).fill(128);
  for (let i = 0; i < src.frameCount; i++) await enc.write(frame);
  await enc.commit();
  const got = await probeVideo(out);
  assert.equal(got.frameCount, src.frameCount);
  for (let i = 0; i < src.frameCount; i++) assert.ok(Math.abs(got.frameTimesMs[i] - src.frameTimesMs[i]) < 1.5, `frame ${i} at ${got.frameTimesMs[i]} ms, source ${src.frameTimesMs[i]} ms`);
  const streams = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', out], { encoding: 'utf8' }).stdout.trim().split('\n');
  assert.deepEqual(streams.sort(), ['audio', 'video']);
  assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith('.')), [], 'no temporary file left');
});

/** ffmpeg's own raw frames of a video in a pixel format, split. */
function rawFrames(path: string, pixFmt: string | null, bytes: number): Buffer[] {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', ...(pixFmt ? ['-pix_fmt', pixFmt] : ['-c:v', 'rawvideo']), '-'], { maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr?.toString());
  const out = r.stdout as Buffer;
  return Array.from({ length: out.length / bytes }, (_, i) => out.subarray(i * bytes, (i + 1) * bytes));
}

test('yuv420p frames are ffmpeg\'s own yuv420p, odd sizes too; recycled buffers carry the same frames', async () => {
  const odd = join(dir, 'odd.mkv');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=33x17:rate=10:duration=1', '-pix_fmt', 'yuv420p', '-c:v', 'ffv1', odd]);
  for (const path of [video, odd]) {
    const info = await probeVideo(path);
    const bytes = rawFrameBytes('yuv420p', info.width, info.height);
    assert.equal(bytes, yuv420Layout(info.width, info.height).bytes);
    const want = rawFrames(path, 'yuv420p', bytes);
    const all = await collect(decodeFrames(info, { encoding: 'yuv420p' }));
    assert.equal(all.length, want.length);
    all.forEach((f, i) => assert.ok(f.data.equals(want[i]), `${path} frame ${i}`));
    let k = 0;
    const seen = new Set<Buffer>();
    for await (const f of decodeFrames(info, { encoding: 'yuv420p', recycle: true })) {
      assert.ok(f.data.equals(want[k++]), `recycled frame ${k - 1}`);
      seen.add(f.data);
    }
    assert.equal(k, want.length);
    // Small frames come many to a pipe read, each in its own buffer; large ones reuse a few.
    if (bytes > 65536) assert.ok(seen.size <= 3, `${seen.size} buffers for ${k} frames`);
  }
});

test('limited and full range sources keep their range from decode to delivery file (lossless round trip)', async () => {
  const full = join(dir, 'full.mp4');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=10:duration=0.5', '-pix_fmt', 'yuvj420p', '-c:v', 'libx264', '-crf', '0', full]);
  for (const [path, range] of [[video, null], [full, 'pc']] as const) {
    const info = await probeVideo(path);
    assert.equal(info.colorRange, range);
    const bytes = rawFrameBytes('yuv420p', info.width, info.height);
    // The decoder's own samples, whatever its pixel format is called (yuvj420p: full range).
    const native = rawFrames(path, null, bytes);
    const frames = await collect(decodeFrames(info, { encoding: 'yuv420p', endFrame: 5 }));
    frames.forEach((f, i) => assert.ok(f.data.equals(native[i]), `${path} frame ${i}: the source's own values`));
    const out = join(dir, `range-${range ?? 'tv'}.mp4`);
    const enc = await openOutput({ width: info.width, height: info.height, fps: info.fps, frameCount: 5, source: path, output: out, crf: 0, preset: 'ultrafast' });
    assert.deepEqual(enc.color, { matrix: 'bt601', fullRange: range === 'pc' });
    for (const f of frames) await enc.write(f.data);
    await enc.commit();
    const back = rawFrames(out, null, bytes);
    frames.forEach((f, i) => assert.ok(back[i].equals(f.data), `${path} frame ${i} comes back as written`));
    // x264 marks limited range also when the source said nothing.
    assert.equal((await probeVideo(out)).colorRange, range ?? 'tv');
  }
});

test('the encoder reads yuv420p as it is: no colour conversion for h264, 4:2:2 10-bit for ProRes', () => {
  const base = { width: 64, height: 48, fps: 25, source: 's.mp4', output: 'o.mp4', format: 'mp4', crf: 18, preset: 'veryfast' };
  const streams = { audioCodec: null, colorSpace: 'bt709', colorPrimaries: 'bt709', colorTransfer: 'bt709', colorRange: 'tv' };
  const h264 = compositeEncoderArgs({ ...base, streams, codec: 'h264' }).join(' ');
  assert.match(h264, /-f rawvideo -pix_fmt yuv420p -s 64x48/);
  assert.doesNotMatch(h264, /color_matrix|format=/);
  assert.match(h264, /-vf setparams=range=tv -c:v libx264/);
  const untagged = compositeEncoderArgs({ ...base, streams: { ...streams, colorSpace: null, colorRange: null }, codec: 'h264' }).join(' ');
  assert.doesNotMatch(untagged, / -vf /);
  const prores = compositeEncoderArgs({ ...base, output: 'o.mov', format: 'mov', streams, codec: 'prores', rotationDeg: 90 }).join(' ');
  assert.match(prores, /-vf setparams=range=tv,transpose=cclock,format=yuv422p10le -c:v prores_ks/);
});
