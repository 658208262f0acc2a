/**
 * `noggin capture --publish`: the track streams to a bridge session while it is captured,
 * and a consumer receives every frame, in order, the same as the track file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBridge, subscribe } from '../bridge/index.js';
import { openTrack } from '../core/track-file.js';
import type { TrackFrame } from '../core/track.js';
import { countFrames, ffmpeg, runCli, SHARED, sharedVideo } from './helpers/cli.js';
import { collect } from './helpers/synthetic.js';

test('capture publishes to a bridge session that a consumer follows while it runs', { skip: !SHARED }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'noggin-publish-'));
  const bridge = await startBridge({ port: 0, installCleanup: false });
  try {
    const clip = join(dir, 'clip.mp4');
    ffmpeg(['-i', sharedVideo('presenter-3.mp4'), '-t', '2', '-c', 'copy', clip]);
    const sub = subscribe(bridge.url, 'talk1');
    const received: Promise<TrackFrame[]> = collect(sub);
    const out = join(dir, 'clip.track.ndjson');
    const r = await runCli(['capture', clip, '-o', out, '--publish', `${bridge.url}/talk1`]);
    assert.equal(r.code, 0, r.stderr);
    const frames = await received;
    const header = await sub.header();
    const file = await openTrack(out);
    const fromFile = await collect(file.frames);
    assert.equal(header.source.frameCount, file.header.source.frameCount);
    assert.deepEqual(frames.map((f) => f.frame), fromFile.map((f) => f.frame));
    for (let k = 0; k < frames.length; k++) {
      assert.equal(!!frames[k].face, !!fromFile[k].face);
      if (frames[k].face) assert.ok(Math.abs(frames[k].face!.landmarks[3] - fromFile[k].face!.landmarks[3]) < 1e-4, `frame ${k}`);
    }
  } finally {
    await bridge.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('noggin render --session follows noggin capture --publish: both run at once, one layer frame per track frame', { skip: !SHARED }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'noggin-publish-'));
  const bridge = await startBridge({ port: 0, installCleanup: false });
  try {
    const clip = join(dir, 'clip.mp4');
    ffmpeg(['-i', sharedVideo('presenter-3.mp4'), '-t', '1.2', '-c', 'copy', clip]);
    const layer = join(dir, 'layer.mov');
    const url = `${bridge.url}/talk2`;
    const render = runCli(['render', '--session', url, '--head', 'fox', '-o', layer, '--antialias', 'none']);
    const capture = runCli(['capture', clip, '-o', join(dir, 'clip.track.ndjson'), '--publish', url]);
    const [c, r] = await Promise.all([capture, render]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(r.code, 0, r.stderr);
    const frames = (await collect((await openTrack(join(dir, 'clip.track.ndjson'))).frames)).length;
    assert.equal(countFrames(layer), frames);
  } finally {
    await bridge.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('--publish to a bridge that is not there fails with a one-line error and no track', { skip: !SHARED }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'noggin-publish-'));
  try {
    const out = join(dir, 'x.track.ndjson');
    const r = await runCli(['capture', sharedVideo('presenter-3.mp4'), '-o', out, '--publish', 'http://127.0.0.1:9/talk1']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr.trim().split('\n').pop()!, /^noggin \w+: .*Fix: /);
    assert.deepEqual(r.leftovers, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
