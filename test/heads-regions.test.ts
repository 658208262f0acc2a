/**
 * Per-shape region test: for every ARKit morph target of every shipped mascot, the vertices
 * it moves lie in the expected region of the face, on the expected side (Left = the
 * subject's left = +x), and move the expected way. Regions are taken from MediaPipe's
 * canonical face, which the mascots are authored to line up with.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ARKIT_BLENDSHAPES } from '../core/blendshapes.js';
import { CANONICAL_EYE_CENTER, CANONICAL_MOUTH_CENTER, CANONICAL_FACE } from '../core/canonical-face.js';
import { findProjectRoot, listHeads } from '../core/head-catalog.js';
import { readHeadGeometry, type HeadGeometry } from '../scripts/heads/inspect.js';

type V3 = [number, number, number];

interface Stats {
  /** Displacement-weighted centroid of the moved vertices (rest positions). */
  c: V3;
  /** Mean displacement of the moved vertices. */
  d: V3;
  /** Weighted mean |x| of moved vertices. */
  absX: number;
  /** Mean displacement of moved vertices above / below a height. */
  dAbove: (y: number) => V3;
  dBelow: (y: number) => V3;
  /** Mean of the outward (horizontal, from the head's vertical axis) displacement. */
  outward: number;
  count: number;
}

function stats(g: HeadGeometry, name: string): Stats {
  const d = g.deltas.get(name)!;
  const p = g.morphRest;
  const idx: number[] = [];
  for (let i = 0; i < d.length / 3; i++) {
    if (Math.hypot(d[3 * i], d[3 * i + 1], d[3 * i + 2]) > 0.05) idx.push(i);
  }
  const c: V3 = [0, 0, 0];
  const md: V3 = [0, 0, 0];
  let wsum = 0;
  let absX = 0;
  let outward = 0;
  for (const i of idx) {
    const w = Math.hypot(d[3 * i], d[3 * i + 1], d[3 * i + 2]);
    wsum += w;
    for (let k = 0; k < 3; k++) {
      c[k] += w * p[3 * i + k];
      md[k] += d[3 * i + k] / idx.length;
    }
    absX += w * Math.abs(p[3 * i]);
    const rx = p[3 * i];
    const rz = p[3 * i + 2] + 3.5;
    const rl = Math.hypot(rx, rz) || 1;
    outward += (d[3 * i] * rx + d[3 * i + 2] * rz) / rl / idx.length;
  }
  const mean = (pred: (y: number) => boolean): V3 => {
    const s: V3 = [0, 0, 0];
    let n = 0;
    for (const i of idx) {
      if (!pred(p[3 * i + 1])) continue;
      n++;
      for (let k = 0; k < 3; k++) s[k] += d[3 * i + k];
    }
    return n ? [s[0] / n, s[1] / n, s[2] / n] : [0, 0, 0];
  };
  return {
    c: [c[0] / wsum, c[1] / wsum, c[2] / wsum], d: md, absX: absX / wsum,
    dAbove: (y) => mean((v) => v > y), dBelow: (y) => mean((v) => v < y), outward, count: idx.length,
  };
}

const eyeL = CANONICAL_EYE_CENTER.left;
const eyeR = CANONICAL_EYE_CENTER.right;
const mouth = CANONICAL_MOUTH_CENTER;
const cornerL = CANONICAL_FACE.mouthCornerLeft;
const cornerR = CANONICAL_FACE.mouthCornerRight;
const nose = CANONICAL_FACE.noseTip;
const dist2 = (a: V3, b: readonly number[]): number => Math.hypot(a[0] - b[0], a[1] - b[1]);

/** The check for each shape: throws (assert) when the shape moves the wrong region or way. */
function check(name: string, s: Stats): void {
  const msg = (what: string): string =>
    `${name}: ${what} (centroid ${s.c.map((v) => v.toFixed(2)).join(',')}; mean delta ${s.d.map((v) => v.toFixed(2)).join(',')})`;
  const side = name.endsWith('Left') ? 1 : name.endsWith('Right') ? -1 : 0;
  const shifts = name === 'jawLeft' || name === 'jawRight' || name === 'mouthLeft' || name === 'mouthRight';
  if (side !== 0 && !shifts) assert.ok(side * s.c[0] > 1.0, msg(`should be on the subject's ${side > 0 ? 'left (+x)' : 'right (-x)'}`));
  if (side === 0 || shifts) assert.ok(Math.abs(s.c[0]) < 0.8, msg('should be centred'));
  const eye = side >= 0 ? eyeL : eyeR;
  const corner = side >= 0 ? cornerL : cornerR;
  const outX = side; // the subject-side direction in x

  if (name.startsWith('eye')) {
    if (side !== 0) assert.ok(dist2(s.c, eye) < 3.0, msg('should be around the eye'));
    if (name.startsWith('eyeBlink')) assert.ok(s.dAbove(eye[1])[1] < -0.3, msg('upper eye should close downward'));
    if (name.startsWith('eyeSquint')) assert.ok(s.dBelow(eye[1])[1] > 0.1, msg('lower eye should rise'));
    if (name.startsWith('eyeWide')) assert.ok(s.dAbove(eye[1] + 0.5)[1] > 0.05, msg('upper eye should rise'));
    if (name.startsWith('eyeLookUp')) assert.ok(s.d[1] > 0.1, msg('iris should move up'));
    if (name.startsWith('eyeLookDown')) assert.ok(s.d[1] < -0.1, msg('iris should move down'));
    // In = toward the nose: -x for the left eye, +x for the right eye.
    if (name.startsWith('eyeLookIn')) assert.ok(-outX * s.d[0] > 0.1, msg('iris should move toward the nose'));
    if (name.startsWith('eyeLookOut')) assert.ok(outX * s.d[0] > 0.1, msg('iris should move away from the nose'));
  } else if (name.startsWith('brow')) {
    assert.ok(s.c[1] > eye[1] + 1.5 && s.c[1] < eye[1] + 7, msg('should be above the eyes'));
    if (name.startsWith('browDown')) assert.ok(s.d[1] < -0.2, msg('brow should move down'));
    else assert.ok(s.d[1] > 0.2, msg('brow should move up'));
    if (name === 'browInnerUp') assert.ok(s.absX < Math.abs(eyeL[0]) + 0.6, msg('inner brows should move most'));
    if (name.startsWith('browOuterUp')) assert.ok(s.absX > Math.abs(eyeL[0]), msg('outer brow should move most'));
  } else if (name === 'cheekPuff') {
    assert.ok(s.absX > 2.5, msg('cheeks are at the sides'));
    assert.ok(s.c[1] > mouth[1] - 3 && s.c[1] < eyeL[1] - 1, msg('between mouth and eyes'));
    assert.ok(s.outward > 0.2, msg('cheeks should move outward'));
  } else if (name.startsWith('cheekSquint')) {
    assert.ok(s.c[1] > mouth[1] && s.c[1] < eyeL[1] + 1.5, msg('between mouth and eye'));
    assert.ok(s.d[1] > 0.05, msg('cheek should rise'));
  } else if (name.startsWith('noseSneer')) {
    assert.ok(s.c[1] > mouth[1] && s.c[1] < eyeL[1], msg('around the nose'));
    assert.ok(dist2(s.c, nose) < 3.5, msg('near the nose'));
    assert.ok(s.d[1] > 0.1, msg('should wrinkle upward'));
  } else if (name.startsWith('jaw')) {
    assert.ok(s.c[1] < mouth[1], msg('jaw is below the mouth'));
    if (name === 'jawOpen') {
      assert.ok(s.d[1] < -0.5, msg('jaw should drop'));
      assert.ok(s.dBelow(mouth[1] - 3)[1] < -0.4, msg('chin should drop'));
    }
    if (name === 'jawForward') assert.ok(s.d[2] > 0.2, msg('jaw should move forward (+z)'));
    if (name === 'jawLeft') assert.ok(s.d[0] > 0.2, msg('jaw should move to the subject left (+x)'));
    if (name === 'jawRight') assert.ok(s.d[0] < -0.2, msg('jaw should move to the subject right (-x)'));
  } else if (name.startsWith('mouth')) {
    const near = side !== 0 && !shifts ? corner : mouth;
    assert.ok(dist2(s.c, near) < 3.5, msg(`should be around the ${near === mouth ? 'mouth' : 'mouth corner'}`));
    const up = s.d[1];
    switch (name.replace(/(Left|Right)$/, '')) {
      case 'mouthSmile': assert.ok(up > 0.15, msg('corner should rise')); assert.ok(outX * s.d[0] > 0, msg('corner should widen')); break;
      case 'mouthFrown': assert.ok(up < -0.15, msg('corner should drop')); break;
      case 'mouthStretch': assert.ok(outX * s.d[0] > 0.15, msg('corner should pull outward')); break;
      case 'mouthDimple': assert.ok(s.d[2] < -0.1, msg('corner should pull back')); break;
      case 'mouthPress': assert.ok(s.dBelow(mouth[1] - 0.3)[1] > 0.02, msg('lower lip should press up')); break;
      case 'mouthLowerDown': assert.ok(up < -0.15 && s.c[1] < mouth[1] + 0.3, msg('lower lip should drop')); break;
      case 'mouthUpperUp': assert.ok(up > 0.15 && s.c[1] > mouth[1] - 0.3, msg('upper lip should rise')); break;
      case 'mouthPucker': assert.ok(s.d[2] > 0.2, msg('lips should push forward')); break;
      case 'mouthFunnel': assert.ok(s.d[2] > 0.2, msg('lips should flare forward')); break;
      case 'mouthRollLower': assert.ok(s.d[2] < -0.1 && s.c[1] < mouth[1] + 0.3, msg('lower lip should roll in')); break;
      case 'mouthRollUpper': assert.ok(s.d[2] < -0.1 && s.c[1] > mouth[1] - 0.3, msg('upper lip should roll in')); break;
      case 'mouthShrugLower': assert.ok(up > 0.1 && s.c[1] < mouth[1], msg('lower lip and chin should push up')); break;
      case 'mouthShrugUpper': assert.ok(up > 0.1 && s.c[1] > mouth[1] - 0.3, msg('upper lip should push up')); break;
      case 'mouthClose': assert.ok(s.dBelow(mouth[1] - 0.2)[1] > 0.3, msg('lower lip should close upward')); break;
      case 'mouth':
        if (name === 'mouthLeft') assert.ok(s.d[0] > 0.2, msg('mouth should shift to the subject left (+x)'));
        if (name === 'mouthRight') assert.ok(s.d[0] < -0.2, msg('mouth should shift to the subject right (-x)'));
        break;
      default: assert.fail(msg('no rule'));
    }
  } else {
    assert.fail(msg('no rule for this shape'));
  }
}

const root = findProjectRoot();
for (const head of listHeads(root).filter((h) => h.kind === 'glb')) {
  test(`${head.name}: every ARKit shape moves the right region, side and direction`, async () => {
    const g = await readHeadGeometry(new Uint8Array(readFileSync(head.file)));
    const failures: string[] = [];
    for (const name of ARKIT_BLENDSHAPES) {
      try {
        const s = stats(g, name);
        assert.ok(s.count > 0, `${name}: moves nothing`);
        check(name, s);
      } catch (e) {
        failures.push((e as Error).message.split('\n')[0]);
      }
    }
    assert.deepEqual(failures, []);
  });
}
