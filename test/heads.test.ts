/**
 * Shipped mascot heads: files exist and are small (under 1.5 MB, at most 12,000 vertices
 * with VRM bodies included), pass the Khronos glTF validator with no errors, carry all 51
 * ARKit morph targets by exact name on every morphing primitive, have valid profiles, sit
 * on the canonical face and are listed by the catalog.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ARKIT_BLENDSHAPES } from '../core/blendshapes.js';
import { CANONICAL_EYE_CENTER, CANONICAL_MOUTH_CENTER, CANONICAL_FACE } from '../core/canonical-face.js';
import { HeadProfileSchema, parseHeadProfile, retargetScore, headToCanonical } from '../core/head-profile.js';
import { findProjectRoot, listHeads, readGlbJson, resolveHead } from '../core/head-catalog.js';
import { readHeadGeometry } from '../scripts/heads/inspect.js';

interface ValidatorReport {
  issues: { numErrors: number; numWarnings: number; messages: { code: string; message: string; severity: number; pointer?: string }[] };
}
const require = createRequire(import.meta.url);
const validator = require('gltf-validator') as { validateBytes(data: Uint8Array, opts?: object): Promise<ValidatorReport> };

const root = findProjectRoot();
const glbHeads = listHeads(root).filter((h) => h.kind === 'glb');

test('at least three glb mascots ship, each with a profile', () => {
  assert.ok(glbHeads.length >= 3, `found ${glbHeads.map((h) => h.name).join(', ')}`);
  for (const h of glbHeads) {
    assert.ok(existsSync(h.file), h.file);
    assert.ok(h.profilePath && existsSync(h.profilePath));
  }
});

for (const head of glbHeads) {
  const bytes = new Uint8Array(readFileSync(head.file));

  test(`${head.name}: file is under 1.5 MB`, () => {
    assert.ok(bytes.byteLength < 1.5 * 1024 * 1024, `${bytes.byteLength} bytes`);
  });

  test(`${head.name}: Khronos glTF validator reports no errors`, async () => {
    const report = await validator.validateBytes(bytes, { maxIssues: 50 });
    const errors = report.issues.messages.filter((m) => m.severity === 0);
    assert.equal(report.issues.numErrors, 0, JSON.stringify(errors.slice(0, 5), null, 1));
  });

  test(`${head.name}: every morphing primitive has the 51 ARKit targets, named exactly`, async () => {
    const g = await readHeadGeometry(bytes);
    assert.ok(g.targetNames.length >= 1, 'no mesh with morph targets');
    for (const names of g.targetNames) assert.deepEqual(names, [...ARKIT_BLENDSHAPES]);
    for (const n of g.primitiveTargetCounts) assert.equal(n, ARKIT_BLENDSHAPES.length);
    for (const name of ARKIT_BLENDSHAPES) {
      const d = g.deltas.get(name);
      assert.ok(d, `${name} missing`);
      let max = 0;
      for (let i = 0; i < d.length; i++) max = Math.max(max, Math.abs(d[i]));
      assert.ok(max > 0.2, `${name} moves nothing visible (max ${max.toFixed(3)} cm)`);
    }
  });

  test(`${head.name}: profile is valid and matches the file`, () => {
    const json = JSON.parse(readFileSync(head.profilePath!, 'utf8'));
    const p = parseHeadProfile(json);
    assert.equal(p.name, head.name);
    assert.equal(p.kind, 'glb');
    assert.deepEqual(p.anchor, { originCm: [0, 0, 0], unitsPerCm: 1, yawDeg: 0 });
    assert.ok(Object.keys(p.colors).length >= 5);
    // Neck stub reaches a collar 15-20 cm below the chin.
    assert.ok(p.neck, 'profile has a neck');
    assert.ok(p.neck.bottomCm[1] <= CANONICAL_FACE.chin[1] - 15, `neck bottom ${p.neck.bottomCm[1]}`);
    assert.ok(p.neck.bottomCm[1] >= CANONICAL_FACE.chin[1] - 20, `neck bottom ${p.neck.bottomCm[1]}`);
  });

  test(`${head.name}: eyes and mouth sit on the canonical face`, () => {
    const f = head.profile.features!;
    for (const [mine, canon] of [[f.eyeLeftCm, CANONICAL_EYE_CENTER.left], [f.eyeRightCm, CANONICAL_EYE_CENTER.right]] as const) {
      assert.ok(Math.abs(mine[0] - canon[0]) < 1.3, `eye x ${mine[0]} vs ${canon[0]}`);
      assert.ok(Math.abs(mine[1] - canon[1]) < 1.0, `eye y ${mine[1]} vs ${canon[1]}`);
      assert.ok(mine[2] > canon[2], 'eye in front of the face');
    }
    assert.ok(f.eyeLeftCm[0] > 0 && f.eyeRightCm[0] < 0, 'subject-left eye is at +x');
    assert.ok(Math.abs(f.mouthCm[1] - CANONICAL_MOUTH_CENTER[1]) < 0.6, `mouth y ${f.mouthCm[1]}`);
    assert.ok(Math.abs(f.mouthCm[0]) < 0.01);
  });
}

/** Vertices a renderer transforms: every primitive's POSITION count (as render/head-check.ts counts them). */
function primitiveVertices(file: string): number {
  const json = readGlbJson(file) as { meshes?: { primitives: { attributes: { POSITION: number } }[] }[]; accessors: { count: number }[] };
  let n = 0;
  for (const m of json.meshes ?? []) for (const p of m.primitives) n += json.accessors[p.attributes.POSITION].count;
  return n;
}

test('every shipped head and VRM has at most 12,000 vertices in all its meshes', () => {
  const over: string[] = [];
  const counts: string[] = [];
  for (const h of listHeads(root)) {
    const n = primitiveVertices(h.file);
    counts.push(`${h.name} ${n}`);
    if (n > 12000) over.push(`${h.name}: ${n} vertices`);
  }
  assert.ok(counts.length >= 5, counts.join(', '));
  assert.deepEqual(over, []);
});

test('catalog resolves names, files and profiles', () => {
  const fox = resolveHead(glbHeads[0].name, root);
  assert.equal(fox.file, glbHeads[0].file);
  assert.equal(resolveHead(glbHeads[0].file, root).name, glbHeads[0].name);
  assert.equal(resolveHead(glbHeads[0].profilePath!, root).name, glbHeads[0].name);
  assert.throws(() => resolveHead('no-such-head', root), /no head named/);
  assert.ok(existsSync(join(root, 'assets', 'heads')));
});

test('profile schema: rejects bad colours and names, applies retarget defaults', () => {
  const base = {
    format: 'noggin-head', version: 1, name: 'x', displayName: 'X', kind: 'glb', file: 'x.glb',
    anchor: { originCm: [0, 0, 0], unitsPerCm: 1 },
  };
  assert.ok(HeadProfileSchema.safeParse(base).success);
  assert.ok(!HeadProfileSchema.safeParse({ ...base, colors: { fur: 'orange' } }).success);
  assert.ok(!HeadProfileSchema.safeParse({ ...base, name: 'Bad Name' }).success);
  assert.ok(!HeadProfileSchema.safeParse({ ...base, retarget: { notAShape: { gain: 2 } } }).success);
  const p = parseHeadProfile({ ...base, retarget: { jawOpen: { gain: 2 } } });
  assert.equal(retargetScore(p, 'jawOpen', 0.3), 0.6);
  assert.equal(retargetScore(p, 'jawOpen', 0.8), 1);
  assert.equal(retargetScore(p, 'eyeBlinkLeft', 0.4), 0.4);
  const vrm = parseHeadProfile({ ...base, kind: 'vrm', anchor: { originCm: [0, 150, 0], unitsPerCm: 0.01 } });
  assert.deepEqual(headToCanonical(vrm, [0, 1.5, 0.05]), [0, 0, 5]);
});
