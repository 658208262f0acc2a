import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillGaps } from '../capture/gap-fill.js';
import { liveLinkCsvHeader, liveLinkCsvRow, liveLinkTimecode } from '../capture/live-link-csv.js';
import { BLENDSHAPE_INDEX } from '../core/blendshapes.js';
import { decomposeMatrix, quatAngleDeg } from '../core/pose.js';
import type { TrackFrame } from '../core/track.js';
import { collect, iter, makeFace, yawQuat } from './helpers/synthetic.js';

function frames(pattern: string): TrackFrame[] {
  return [...pattern].map((c, k) => ({ frame: k, timeMs: k * 40, face: c === 'F' ? makeFace(k * 2, 0, k / 20, 0) : null }));
}

test('short gaps are filled by interpolation and marked; long gaps stay empty', async () => {
  const out = await collect(fillGaps(iter(frames('FF..FF......FF.')), 3));
  assert.deepEqual(out.map((f) => (f.face ? (f.interpolated ? 'i' : 'F') : '.')).join(''), 'FFiiFF......FF.');
  const mid = out[2].face!;
  assert.ok(quatAngleDeg(decomposeMatrix(mid.matrix).q, yawQuat(4)) < 1e-3, 'rotation interpolated');
  assert.ok(Math.abs(mid.blendshapes[3] - 0.1) < 1e-6, 'blendshapes interpolated');
  assert.deepEqual(out.map((f) => f.frame), [...Array(15).keys()]);
});

test('gap filling off leaves every frame as it was', async () => {
  const input = frames('F.F');
  assert.deepEqual(await collect(fillGaps(iter(input), 0)), input);
});

test('the Live Link Face CSV has its header layout and one row per face frame', () => {
  const header = liveLinkCsvHeader().split(',');
  assert.equal(header.length, 63);
  assert.deepEqual(header.slice(0, 3), ['Timecode', 'BlendShapeCount', 'EyeBlinkLeft']);
  assert.ok(header.includes('MouthSmileRight') && header.includes('HeadYaw') && header.includes('TongueOut'));
  const face = makeFace(20, 0, 0, 0);
  face.blendshapes[BLENDSHAPE_INDEX.jawOpen] = 0.75;
  const row = liveLinkCsvRow({ frame: 31, timeMs: 1040, face }, 25)!.split(',');
  assert.equal(row.length, 63);
  assert.equal(row[0], '00:00:01:01.000');
  assert.equal(row[1], '61');
  assert.equal(Number(row[header.indexOf('JawOpen')]), 0.75);
  assert.ok(Math.abs(Number(row[header.indexOf('HeadYaw')]) - (20 * Math.PI) / 180) < 1e-4);
  assert.equal(liveLinkCsvRow({ frame: 0, timeMs: 0, face: null }, 25), null);
  assert.equal(liveLinkTimecode(3723500, 30), '01:02:03:15.000');
});
