import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTrackHeader, MEDIAPIPE_VERTICAL_FOV_DEG } from '../core/track.js';
import { openTrack, TrackWriter } from '../core/track-file.js';
import { NogginError } from '../core/errors.js';
import { collect, makeFace } from './helpers/synthetic.js';
import { tempDir } from './helpers/temp-dir.js';

const source = { path: 'x.mp4', width: 640, height: 480, fps: 30, frameCount: 3, durationMs: 100 };

test('a track round-trips through the file format with header, frames and trailer', async () => {
  const dir = await tempDir();
  const path = join(dir, 'a.track.ndjson');
  const w = await TrackWriter.open(path, makeTrackHeader(source, { mode: 'none' }));
  const face = makeFace(10, 1, 0.25, 0);
  await w.writeFrame({ frame: 0, timeMs: 0, face });
  await w.writeFrame({ frame: 1, timeMs: 33.333, face: null });
  await w.writeFrame({ frame: 2, timeMs: 66.667, face, interpolated: true });
  await w.finish();
  const lines = (await readFile(path, 'utf8')).trim().split('\n');
  assert.equal(lines.length, 5);
  assert.deepEqual(JSON.parse(lines[4]), { end: true, frames: 3 });
  const t = await openTrack(path);
  assert.equal(t.header.camera.verticalFovDeg, MEDIAPIPE_VERTICAL_FOV_DEG);
  assert.equal(t.header.blendshapeNames[0], '_neutral');
  const frames = await collect(t.frames);
  assert.equal(frames.length, 3);
  assert.equal(frames[1].face, null);
  assert.equal(frames[2].interpolated, true);
  assert.ok(Math.abs(frames[0].face!.landmarks[5] - face.landmarks[5]) < 1e-5);
  assert.ok(Math.abs(frames[0].face!.matrix[14] - -45) < 1e-4);
  assert.deepEqual(await readdir(dir), ['a.track.ndjson'], 'no temporary file left');
});

test('a track without trailer is refused as incomplete unless allowed', async () => {
  const dir = await tempDir();
  const path = join(dir, 'b.track.ndjson');
  const w = await TrackWriter.open(path, makeTrackHeader(source, { mode: 'none' }));
  await w.writeFrame({ frame: 0, timeMs: 0, face: null });
  await w.finishIncomplete();
  await assert.rejects(collect((await openTrack(path)).frames), (e: unknown) => e instanceof NogginError && /incomplete/.test(e.problem));
  assert.equal((await collect((await openTrack(path, { allowIncomplete: true })).frames)).length, 1);
});

test('an aborted writer leaves no file at all', async () => {
  const dir = await tempDir();
  const w = await TrackWriter.open(join(dir, 'c.track.ndjson'), makeTrackHeader(source, { mode: 'none' }));
  await w.writeFrame({ frame: 0, timeMs: 0, face: null });
  await w.abort();
  assert.deepEqual(await readdir(dir), []);
});

test('frames out of order are refused by the writer', async () => {
  const dir = await tempDir();
  const w = await TrackWriter.open(join(dir, 'd.track.ndjson'), makeTrackHeader(source, { mode: 'none' }));
  await assert.rejects(w.writeFrame({ frame: 1, timeMs: 0, face: null }), /out of order/);
  await w.abort();
});

test('malformed tracks name the line that is wrong', async () => {
  const dir = await tempDir();
  const notTrack = join(dir, 'e.ndjson');
  await writeFile(notTrack, '{"hello":1}\n');
  await assert.rejects(openTrack(notTrack), /not a valid noggin track \(line 1/);
  const badFrame = join(dir, 'f.ndjson');
  await writeFile(badFrame, JSON.stringify(makeTrackHeader(source, { mode: 'none' })) + '\n{"frame":0,"timeMs":0,"face":{"landmarks":[1]}}\n');
  await assert.rejects(collect((await openTrack(badFrame)).frames), /line 2/);
  await assert.rejects(openTrack(join(dir, 'missing.ndjson')), /does not exist/);
  await assert.rejects(TrackWriter.open(join(dir, 'no', 'such', 'x.ndjson'), makeTrackHeader(source, { mode: 'none' })), /does not exist/);
});
