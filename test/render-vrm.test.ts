/**
 * VRM: the expression rules (isBinary, override block/blend) in Node; in the page, the VRM
 * 1.0 conformance samples of ../shared/assets/vrm (their validation window shows a green
 * atlas cell when expressions, isBinary and overrides are applied right, red otherwise),
 * the MToon UV animation sample, and a VRM 0.x avatar built here (faces -Z, head bone
 * anchor, body clipped below the neck, blend shape groups with morph and colour binds).
 */
import assert from 'node:assert/strict';
import { copyFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { projectCanonical } from '../render/camera-math.js';
import { readVrm, resolveExpressionWeights, type VrmExpression } from '../render/loaders/vrm-model.js';
import type { RenderedFrame } from '../render/renderer-client.js';
import { buildTestHead, colourCentroid, faceMatrix, frame, iter, MARKERS, RenderRig, scores, SHARED, tempDir } from './render-fixtures.js';

const VRM_DIR = join(SHARED, 'assets', 'vrm');
const OVERRIDDEN = join(VRM_DIR, 'VRMC_vrm_expressions_isBinary_Overridden.vrm');
const OVERRIDES = join(VRM_DIR, 'VRMC_vrm_expressions_isBinary_Overrides.vrm');
const MTOON = join(VRM_DIR, 'VRMC_materials_mtoon_UV_Animation_Test.vrm');
const haveSamples = existsSync(OVERRIDDEN) && existsSync(OVERRIDES) && existsSync(MTOON);

let rig: RenderRig;
let dir = '';
before(async () => {
  dir = await tempDir();
  rig = await RenderRig.start();
});
after(async () => {
  await rig?.close();
});

const expr = (name: string, o: Partial<VrmExpression> = {}): VrmExpression => ({
  name,
  isBinary: false,
  overrideBlink: 'none',
  overrideLookAt: 'none',
  overrideMouth: 'none',
  morphBinds: [],
  colorBinds: [],
  uvBinds: [],
  ...o,
});

describe('VRM expression rules', () => {
  it('rounds isBinary at 0.5 and applies block / blend overrides to the blink, lookAt and mouth groups', () => {
    const list = [expr('happy', { overrideBlink: 'blend', overrideMouth: 'block' }), expr('blink', { isBinary: true }), expr('aa'), expr('lookUp')];
    const w = resolveExpressionWeights(list, new Map([['happy', 0.25], ['blink', 0.6], ['aa', 0.8], ['lookUp', 0.4]]));
    assert.equal(w.get('blink'), 0.75, 'binary 1, blended by 1 - 0.25');
    assert.equal(w.get('aa'), 0, 'blocked while happy > 0');
    assert.equal(w.get('lookUp'), 0.4);
    assert.equal(resolveExpressionWeights(list, new Map([['blink', 0.4]])).get('blink'), 0);
  });

  it('reads VRM 1.0 and 0.x extensions into one model', () => {
    const v1 = readVrm({ extensions: { VRMC_vrm: { specVersion: '1.0', humanoid: { humanBones: { head: { node: 3 } } }, expressions: { preset: { aa: { morphTargetBinds: [{ node: 1, index: 2, weight: 0.5 }] } }, custom: { grin: {} } }, lookAt: { type: 'bone' } } } })!;
    assert.equal(v1.version, '1.0');
    assert.deepEqual(v1.humanBones, { head: 3 });
    assert.deepEqual(v1.expressions.map((e) => e.name), ['aa', 'grin']);
    assert.deepEqual(v1.expressions[0].morphBinds, [{ nodes: [1], index: 2, weight: 0.5 }]);
    assert.equal(v1.facesMinusZ, false);
    const v0 = readVrm({
      nodes: [{}, { mesh: 0 }, { mesh: 0 }],
      materials: [{ name: 'Face' }],
      extensions: { VRM: { humanoid: { humanBones: [{ bone: 'head', node: 0 }] }, blendShapeMaster: { blendShapeGroups: [{ presetName: 'joy', binds: [{ mesh: 0, index: 1, weight: 100 }], materialValues: [{ materialName: 'Face', propertyName: '_MainTex_ST', targetValue: [1, 1, 0.5, 0] }] }] } } },
    })!;
    assert.equal(v0.version, '0.x');
    assert.equal(v0.expressions[0].name, 'happy');
    assert.deepEqual(v0.expressions[0].morphBinds, [{ nodes: [1, 2], index: 1, weight: 1 }]);
    assert.deepEqual(v0.expressions[0].uvBinds, [{ material: 0, scale: [1, 1], offset: [0.5, 0] }]);
    assert.equal(v0.facesMinusZ, true);
    assert.equal(readVrm({}), null);
  });
});

/** Mean colour of the opaque pixels of a crop's central region. */
function centreColour(f: RenderedFrame): [number, number, number] {
  const c = f.crop!;
  let r = 0, g = 0, b = 0, n = 0;
  for (let y = Math.floor(c.height * 0.3); y < c.height * 0.7; y++) {
    for (let x = Math.floor(c.width * 0.3); x < c.width * 0.7; x++) {
      const i = (y * c.width + x) * 4;
      if (c.rgba[i + 3] < 250) continue;
      r += c.rgba[i];
      g += c.rgba[i + 1];
      b += c.rgba[i + 2];
      n++;
    }
  }
  assert.ok(n > 50, 'window drawn');
  return [r / n, g / n, b / n];
}

const green = (c: number[]) => c[1] > c[0] + 40;
const red = (c: number[]) => c[0] > c[1] + 40;

/** A copy of a sample with a profile that shows its content at model height `y` (m), `size` m across as 20 cm. */
async function framed(sample: string, name: string, y: number, size: number): Promise<string> {
  const k = size / 20;
  const file = join(dir, `${name}.vrm`);
  await copyFile(sample, file);
  await writeFile(
    join(dir, `${name}.json`),
    JSON.stringify({
      format: 'noggin-head', version: 1, name, displayName: name, kind: 'vrm', file: `${name}.vrm`,
      // Content `size` m across at height y, shown 20 cm wide; no body clipping for this scene.
      anchor: { originCm: [0, y / k, 0], unitsPerCm: k },
      bounds: { minCm: [-10, -10, -1], maxCm: [10, 10, 1] },
      neck: { topCm: [0, 0, 0], bottomCm: [0, -500, 0], radiusCm: 1 },
    }),
  );
  return file;
}

describe('VRM in the render page', { skip: haveSamples ? false : 'no ../shared/assets/vrm samples' }, () => {
  it('VRMC_vrm expressions: texture transform binds, isBinary and overrideBlink (Overridden and Overrides samples)', async () => {
    const smile = (v: number) => ({ mouthSmileLeft: v / 1.2, mouthSmileRight: v / 1.2 });
    const m = faceMatrix(0, 0, -40);
    // Overridden: happy blends blink out; blink is binary.
    {
      const { renderer } = await rig.open(await framed(OVERRIDDEN, 'overridden', 1.1, 0.5), { frameWidth: 320, frameHeight: 240, verticalFovDeg: 63, align: 'none' });
      try {
        assert.equal(renderer.info.head.loader, 'vrm');
        assert.ok(renderer.info.head.plugins.includes('VRMC_vrm'));
        assert.deepEqual(renderer.info.head.expressions, ['happy', 'blink']);
        const out: RenderedFrame[] = [];
        const states = [
          {}, // base cell: green
          { ...smile(1), eyeBlinkLeft: 1, eyeBlinkRight: 1 }, // happy 1 blends blink to 0: green
          { eyeBlinkLeft: 0.6, eyeBlinkRight: 0.6 }, // blink 0.6 -> binary 1: green
          { ...smile(0.5), eyeBlinkLeft: 1, eyeBlinkRight: 1 }, // half happy, half blink: a red cell
        ];
        for await (const f of renderer.render(iter(states.map((s, i) => frame(i, m, scores(s)))))) out.push(f);
        const colours = out.map(centreColour);
        assert.ok(green(colours[0]) && green(colours[1]) && green(colours[2]), `green expected: ${JSON.stringify(colours.map((c) => c.map(Math.round)))}`);
        assert.ok(red(colours[3]), `red expected for a half-blended state: ${colours[3].map(Math.round)}`);
      } finally {
        await renderer.close();
      }
    }
    // Overrides: happy is binary and blends blink out.
    {
      const { renderer } = await rig.open(await framed(OVERRIDES, 'overrides', 1.1, 0.5), { frameWidth: 320, frameHeight: 240, verticalFovDeg: 63, align: 'none' });
      try {
        const out: RenderedFrame[] = [];
        const states = [
          { ...smile(0.6), eyeBlinkLeft: 1, eyeBlinkRight: 1 }, // happy 0.6 -> 1, blink blended out: green
          { ...smile(0.4), eyeBlinkLeft: 1, eyeBlinkRight: 1 }, // happy 0.4 -> 0, blink 1: green
          { ...smile(0.6), eyeBlinkLeft: 0, eyeBlinkRight: 0 }, // happy only: green
        ];
        for await (const f of renderer.render(iter(states.map((s, i) => frame(i, m, scores(s)))))) out.push(f);
        for (const c of out.map(centreColour)) assert.ok(green(c), `green expected: ${c.map(Math.round)}`);
      } finally {
        await renderer.close();
      }
    }
  });

  it('MToon UV animation scrolls with the frame time', async () => {
    const { renderer } = await rig.open(await framed(MTOON, 'mtoon', 0.85, 0.4), { frameWidth: 320, frameHeight: 240, verticalFovDeg: 63, align: 'none' });
    try {
      assert.ok(renderer.info.head.plugins.includes('VRMC_materials_mtoon'));
      const m = faceMatrix(0, 0, -40);
      const frames = [0, 250, 0].map((t, i) => ({ ...frame(i, m), timeMs: t }));
      const out: RenderedFrame[] = [];
      for await (const f of renderer.render(iter(frames))) out.push(f);
      const diff = (a: RenderedFrame, b: RenderedFrame) => {
        let d = 0;
        for (let i = 0; i < a.crop!.rgba.length; i++) d += Math.abs(a.crop!.rgba[i] - b.crop!.rgba[i]);
        return d;
      };
      assert.ok(out[0].crop && out[0].crop.rgba.some((v, i) => i % 4 === 3 && v === 255), 'something drawn');
      assert.ok(diff(out[0], out[1]) > 1000, 'the textures moved after 250 ms');
      assert.equal(diff(out[0], out[2]), 0, 'and are back at t = 0');
    } finally {
      await renderer.close();
    }
  });

  it('VRM 0.x avatar: turned to face the camera, fitted from its head bone, body clipped, blend shape groups drive morphs and colours', async () => {
    const file = await buildTestHead(dir, { file: 'avatar.vrm', vrm0: true, skull: false, morphNames: ['A'], jawTarget: 'A', profile: false, originCm: [0, 150, 0] });
    const { renderer } = await rig.open(file, { frameWidth: 640, frameHeight: 480, verticalFovDeg: 63, align: 'none' });
    try {
      const info = renderer.info.head;
      assert.equal(info.loader, 'vrm');
      assert.ok(info.plugins.includes('VRM'));
      assert.deepEqual(info.expressions, ['aa', 'blink']);
      assert.deepEqual(info.warnings, []);
      const m = faceMatrix(2, -1, -50, 15);
      const out: RenderedFrame[] = [];
      for await (const f of renderer.render(iter([frame(0, m), frame(1, m, scores({ jawOpen: 1 })), frame(2, m, scores({ eyeBlinkLeft: 1, eyeBlinkRight: 1 }))]))) out.push(f);
      for (const n of ['noseTip', 'rightEyeCenter', 'leftEyeCenter', 'chin'] as const) {
        const got = colourCentroid(out[0].crop!, MARKERS[n].rgb)!;
        const want = projectCanonical(m, MARKERS[n].at, 63, 640, 480)!;
        assert.ok(got && Math.hypot(got.x - want.x, got.y - want.y) < 1.5, `${n}: drawn at ${got?.x},${got?.y}, expected ${want.x},${want.y}`);
      }
      assert.equal(colourCentroid(out[0].crop!, [255, 0, 255]), null, 'the torso below the neck is clipped');
      const shut = colourCentroid(out[0].crop!, MARKERS.chin.rgb)!;
      const open = colourCentroid(out[1].crop!, MARKERS.chin.rgb)!;
      assert.ok(open.y - shut.y > 20, `preset "a" (aa) from jawOpen drops the chin (${open.y - shut.y} px)`);
      assert.equal(colourCentroid(out[2].crop!, MARKERS.noseTip.rgb), null, 'blink recolours the nose marker');
      assert.ok(colourCentroid(out[2].crop!, [0, 255, 255], 30), 'to cyan');
    } finally {
      await renderer.close();
    }
  });
});
