/**
 * Bad input to `noggin capture`: each case exits non-zero with a one-line error, leaves no
 * track (nor temporary file) behind and no child process running.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelPath } from '../system/tools.js';
import { ffmpeg, processesTagged, runCli, SHARED, sharedVideo, waitFor, type CliResult } from './helpers/cli.js';

let dir = '';
/** A clip long enough (presenter-1 four times over) that capture is still running when a test interrupts it. */
let longClip = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'noggin-bad-'));
  if (SHARED) {
    longClip = join(dir, 'long.mp4');
    ffmpeg(['-stream_loop', '3', '-i', sharedVideo('presenter-1.mp4'), '-c', 'copy', longClip]);
  }
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Asserts a clean failure: non-zero exit, one `noggin ...` line matching `pattern`, no output, no leftovers. */
async function assertCleanFailure(r: CliResult, out: string, pattern: RegExp): Promise<void> {
  assert.notEqual(r.code, 0, 'exit status');
  const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('capture:'));
  assert.equal(lines.length, 1, `one line of error, got:\n${r.stderr}`);
  assert.match(lines[0], /^noggin [\w-]+: .+\. Fix: .+\.$/);
  assert.match(lines[0], pattern);
  assert.equal(existsSync(out), false, 'no track written');
  assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.tmp')), [], 'no temporary file left');
  assert.deepEqual(r.leftovers, [], 'no child process left');
}

async function capture(input: string, name: string, env?: Record<string, string>): Promise<[CliResult, string]> {
  const out = join(dir, `${name}.track.ndjson`);
  return [await runCli(['capture', input, '-o', out], { env }), out];
}

test('a missing file', async () => {
  const [r, out] = await capture(join(dir, 'nope.mp4'), 'missing');
  await assertCleanFailure(r, out, /does not exist/);
});

test('a zero-length file', async () => {
  writeFileSync(join(dir, 'empty.mp4'), '');
  const [r, out] = await capture(join(dir, 'empty.mp4'), 'empty');
  await assertCleanFailure(r, out, /empty \(0 bytes\)/);
});

test('a file that is not a video', async () => {
  writeFileSync(join(dir, 'notes.mp4'), 'these are my notes, not a video\n'.repeat(100));
  const [r, out] = await capture(join(dir, 'notes.mp4'), 'text');
  await assertCleanFailure(r, out, /not a readable video/);
});

test('an audio-only file', async () => {
  ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', join(dir, 'tone.m4a')]);
  const [r, out] = await capture(join(dir, 'tone.m4a'), 'audio');
  await assertCleanFailure(r, out, /no video stream \(it is audio only\)/);
});

test('an absurd frame size (16000x16000)', async () => {
  const y4m = join(dir, 'huge.y4m');
  writeFileSync(y4m, Buffer.concat([Buffer.from('YUV4MPEG2 W16000 H16000 F25:1 Ip A1:1 C420jpeg\nFRAME\n'), Buffer.alloc(4096)]));
  const [r, out] = await capture(y4m, 'huge');
  await assertCleanFailure(r, out, /16000x16000, larger than noggin handles/);
});

test('a video with no face at all', async () => {
  const v = join(dir, 'noface.mp4');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=2', '-pix_fmt', 'yuv420p', v]);
  const [r, out] = await capture(v, 'noface');
  await assertCleanFailure(r, out, /no face was found in any of the 50 frames/);
});

test('a truncated video', { skip: !SHARED }, async () => {
  const v = join(dir, 'truncated.mp4');
  const bytes = readFileSync(sharedVideo('presenter-3.mp4'));
  writeFileSync(v, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  const [r, out] = await capture(v, 'truncated');
  await assertCleanFailure(r, out, /truncated|not a readable video/);
});

test('a corrupt video (garbage over the middle of its data)', { skip: !SHARED }, async () => {
  const v = join(dir, 'corrupt.mp4');
  ffmpeg(['-i', sharedVideo('presenter-3.mp4'), '-t', '3', '-c', 'copy', '-movflags', '+faststart', v]);
  const bytes = readFileSync(v);
  let seed = 7;
  for (let i = Math.floor(bytes.length * 0.3); i < Math.floor(bytes.length * 0.7); i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    bytes[i] = seed >>> 24;
  }
  writeFileSync(v, bytes);
  const [r, out] = await capture(v, 'corrupt');
  await assertCleanFailure(r, out, /corrupt|truncated|failed/);
});

test('a broken model file', { skip: !SHARED }, async () => {
  const broken = join(dir, 'broken.task');
  const model = readFileSync(modelPath());
  writeFileSync(broken, model.subarray(0, model.length >> 1));
  const [r, out] = await capture(sharedVideo('presenter-3.mp4'), 'model', { NOGGIN_MODEL: broken });
  await assertCleanFailure(r, out, /model: .*broken/);
});

test('a model file that is a zip of the right names but no real models', { skip: !SHARED }, async () => {
  // Passes the cheap checks, fails inside MediaPipe: the landmarker's own error is mapped.
  const fake = join(dir, 'fake.task');
  const good = readFileSync(modelPath());
  const scrambled = Buffer.from(good);
  for (let i = 4096; i < scrambled.length - 70000; i += 7) scrambled[i] ^= 0x5a;
  writeFileSync(fake, scrambled);
  const [r, out] = await capture(sharedVideo('presenter-3.mp4'), 'fake', { NOGGIN_MODEL: fake });
  await assertCleanFailure(r, out, /landmarker could not start|model/);
});

test('Chromium that fails to start', { skip: !SHARED }, async () => {
  const [r, out] = await capture(sharedVideo('presenter-3.mp4'), 'nochrome', { NOGGIN_CHROMIUM: '/bin/false' });
  await assertCleanFailure(r, out, /Chromium .* failed to start/);
});

test('Chromium killed mid-way', { skip: !SHARED }, async () => {
  const out = join(dir, 'crash.track.ndjson');
  const r = await runCli(['capture', longClip, '-o', out], {
    async during(_pid, tag, stderr) {
      await waitFor(() => /capture: \d+\/\d+ frames/.test(stderr()) || processesTagged(tag).some((p) => p.includes('--type=renderer')), 60000, 'capture to start');
      await new Promise((res) => setTimeout(res, 1500));
      for (const p of processesTagged(tag)) {
        if (/chrom/i.test(p) && !p.includes('--type=')) process.kill(Number(p.split(' ')[0]), 'SIGKILL');
      }
    },
  });
  await assertCleanFailure(r, out, /chromium|landmarker/i);
});

test('Ctrl-C mid-way ends every child and leaves no output', { skip: !SHARED }, async () => {
  const out = join(dir, 'sigint.track.ndjson');
  const r = await runCli(['capture', longClip, '-o', out], {
    async during(pid, tag) {
      await waitFor(() => processesTagged(tag).some((p) => p.includes('ffmpeg')), 60000, 'ffmpeg to start');
      await new Promise((res) => setTimeout(res, 1000));
      process.kill(pid, 'SIGINT');
    },
  });
  assert.equal(r.code, 130);
  assert.match(r.stderr.trim().split('\n').pop()!, /^noggin: interrupted by SIGINT/);
  assert.equal(existsSync(out), false);
  assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.tmp')), []);
  assert.deepEqual(r.leftovers, []);
});

test('usage errors: unknown smoothing mode', async () => {
  const r = await runCli(['capture', 'x.mp4', '--smoothing', 'sometimes']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /smoothing/);
});

