/**
 * Contact sheets (scripts/head-sheets.ts): what each cell drives, the sheet camera, and the
 * committed sheets in docs/heads (one PNG per shipped head, laid out for its cell count,
 * small enough to commit). Rendering them takes minutes: `npm run build:sheets` does it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ARKIT_BLENDSHAPES, BLENDSHAPE_INDEX } from '../core/blendshapes.js';
import { findProjectRoot, listHeads } from '../core/head-catalog.js';
import { SHEET_VIEW, arkitCells, sheetMatrix, vrmPresetCells } from '../scripts/heads/sheet-cells.js';
import { sheetSize } from '../scripts/heads/sheet-html.js';

const root = findProjectRoot();

test('sheet camera puts the head centre on the optical axis, turned by the view yaw', () => {
  const m = sheetMatrix();
  const [x, y, z] = SHEET_VIEW.centerCm;
  const at = [0, 1, 2].map((r) => m[r] * x + m[4 + r] * y + m[8 + r] * z + m[12 + r]);
  assert.ok(Math.hypot(at[0], at[1], at[2] + SHEET_VIEW.distanceCm) < 1e-4, `centre lands at ${at}`);
  // The face's forward axis (+z) turns toward +x by the yaw.
  assert.ok(Math.abs((Math.atan2(m[8], m[10]) * 180) / Math.PI - SHEET_VIEW.yawDeg) < 1e-4);
});

test('glTF sheet: neutral, then each ARKit shape alone at 1.0 (mouthClose with jawOpen)', () => {
  const cells = arkitCells();
  assert.equal(cells.length, 1 + ARKIT_BLENDSHAPES.length);
  assert.ok(cells[0].scores.every((s) => s === 0));
  ARKIT_BLENDSHAPES.forEach((name, k) => {
    const c = cells[k + 1];
    assert.ok(c.label.startsWith(name), c.label);
    const on = [...c.scores.keys()].filter((i) => c.scores[i] !== 0);
    const want = name === 'mouthClose' ? [BLENDSHAPE_INDEX.jawOpen, BLENDSHAPE_INDEX.mouthClose].sort((a, b) => a - b) : [BLENDSHAPE_INDEX[name]];
    assert.deepEqual(on, want, name);
    for (const i of on) assert.equal(c.scores[i], 1);
  });
});

for (const head of listHeads(root).filter((h) => h.kind === 'vrm')) {
  test(`${head.name}: sheet cells are the file's expression presets, from its morph binds`, () => {
    const cells = vrmPresetCells(head.file);
    const labels = cells.map((c) => c.label);
    for (const p of ['blink', 'aa', 'angry']) assert.ok(labels.includes(p) || labels.includes(p === 'aa' ? 'a' : p), `${p} in ${labels}`);
    const blink = cells.find((c) => c.label === 'blink')!;
    assert.equal(blink.scores[BLENDSHAPE_INDEX.eyeBlinkLeft], 1);
    assert.equal(blink.scores[BLENDSHAPE_INDEX.eyeBlinkRight], 1);
    assert.equal(blink.scores.reduce((s, v) => s + v, 0), 2, 'blink binds nothing else');
    assert.ok(cells.length >= 17, `${cells.length} cells`);
  });
}

test('docs/heads holds a contact sheet per shipped head, sized for its cells and under 1.5 MB', () => {
  for (const head of listHeads(root)) {
    const path = join(root, 'docs', 'heads', `${head.name}.png`);
    assert.ok(existsSync(path), `${path} is missing: run npm run build:sheets`);
    assert.ok(statSync(path).size < 1.5 * 1024 * 1024, `${path}: ${statSync(path).size} bytes`);
    const png = readFileSync(path);
    assert.equal(png.readUInt32BE(12), 0x49484452, 'a PNG');
    const count = head.kind === 'vrm' ? vrmPresetCells(head.file).length : arkitCells().length;
    const size = sheetSize(count, { columns: 8, cellWidth: SHEET_VIEW.width, cellHeight: SHEET_VIEW.height });
    assert.deepEqual({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) }, size, `${head.name}: sheet size`);
  }
});
