/**
 * Render stage, Node-only parts: retargeting plugins and overrides, expression mapping,
 * camera and crop math, the renderCrop message, crop conversion and layer composition,
 * MOV retiming, head file checks, head resolution and track completeness.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BLENDSHAPE_INDEX as I } from '../core/blendshapes.js';
import { NogginError } from '../core/errors.js';
import { decodeMessage, encodeMessage, type RenderCropData } from '../core/protocol.js';
import { cropProjection, headCrop, outlineCrop, perspective, projectCanonical, transformPoint } from '../render/camera-math.js';
import { checkHeadFile, DEFAULT_HEAD_LIMITS, imageSize } from '../render/head-check.js';
import { resolveHead } from '../render/head-source.js';
import { assertTrackComplete, defaultLayerPath } from '../render/index.js';
import { LayerFrames } from '../render/layer.js';
import { frameDurations, retimeMov } from '../render/mov-timing.js';
import { toStraightCrop } from '../render/renderer-client.js';
import { smoothEdges } from '../render/page/edge-smooth.js';
import { seededRandom } from '../core/random.js';
import { estimateLighting, STUDIO_LIGHTING, type LightingSample } from '../render/lighting.js';
import { KEY_POINTS, LIGHTING_PROBES } from '../core/landmarks.js';
import { buildRetarget, DEFAULT_RETARGET_PLUGINS, listRetargetPlugins } from '../render/retarget/index.js';
import { driveExpressions, vrmPresetWeights } from '../render/retarget/expressions.js';
import { layerEncoderArgs } from '../system/ffmpeg-encode.js';
import { buildTestHead, faceMatrix, frame, scores, tempDir, writeTrack } from './render-fixtures.js';

let dir = '';
before(async () => {
  dir = await tempDir();
});
after(async () => {
  /* temp dir left for inspection on failure; OS cleans /tmp */
});

function weightsFor(names: string[], s: Float32Array, cfg = {}): Record<string, number> {
  const r = buildRetarget(names, cfg);
  const out = new Float32Array(names.length);
  r.apply(s, out);
  return Object.fromEntries(names.map((n, i) => [n, Math.round(out[i] * 1000) / 1000]));
}

describe('retarget plugins', () => {
  it('registers the four conventions by name, arkit first', () => {
    assert.deepEqual(DEFAULT_RETARGET_PLUGINS, ['arkit', 'suffix-lr', 'ready-player-me', 'case-insensitive']);
    assert.deepEqual(listRetargetPlugins().map((p) => p.name).sort(), ['arkit', 'case-insensitive', 'ready-player-me', 'suffix-lr']);
  });

  it('binds exact ARKit names one to one', () => {
    const r = buildRetarget(['eyeBlinkLeft', 'jawOpen', 'tongueOut', 'hat']);
    assert.equal(r.bound.get('eyeBlinkLeft'), 'arkit');
    assert.equal(r.bound.get('jawOpen'), 'arkit');
    assert.deepEqual(r.unbound, ['tongueOut', 'hat']);
    assert.deepEqual(weightsFor(['eyeBlinkLeft', 'jawOpen'], scores({ eyeBlinkLeft: 0.7, jawOpen: 0.25 })), { eyeBlinkLeft: 0.7, jawOpen: 0.25 });
  });

  it('binds _L/_R suffixes (three.js facecap) to the subject\'s own side', () => {
    const names = ['eyeBlink_L', 'eyeBlink_R', 'mouthSmile_L', 'browOuterUp_R', 'cheekSquint_L', 'jawOpen', 'eyeLookIn.L', 'Roller'];
    const r = buildRetarget(names);
    assert.equal(r.bound.get('eyeBlink_L'), 'suffix-lr');
    assert.equal(r.bound.get('eyeLookIn.L'), 'suffix-lr');
    assert.equal(r.bound.get('jawOpen'), 'arkit');
    assert.ok(r.unbound.includes('Roller'));
    const w = weightsFor(names, scores({ eyeBlinkLeft: 0.9, eyeBlinkRight: 0.1, mouthSmileLeft: 0.5, browOuterUpRight: 0.3, cheekSquintLeft: 0.2 }));
    assert.equal(w.eyeBlink_L, 0.9);
    assert.equal(w.eyeBlink_R, 0.1);
    assert.equal(w.mouthSmile_L, 0.5);
    assert.equal(w.browOuterUp_R, 0.3);
  });

  it('binds names differing in case, separators or a namespace prefix', () => {
    const names = ['EyeBlinkLeft', 'JAW_OPEN', 'blendShape1.mouthFunnel', 'mouth-smile-right'];
    const r = buildRetarget(names, { plugins: ['arkit', 'case-insensitive'] });
    for (const n of names) assert.equal(r.bound.get(n), 'case-insensitive', n);
    assert.equal(buildRetarget(names).unbound.length, 0, 'the default order binds them too');
    const w = weightsFor(names, scores({ eyeBlinkLeft: 0.4, jawOpen: 0.6, mouthFunnel: 0.2, mouthSmileRight: 1 }));
    assert.deepEqual(w, { EyeBlinkLeft: 0.4, JAW_OPEN: 0.6, 'blendShape1.mouthFunnel': 0.2, 'mouth-smile-right': 1 });
  });

  it('drives Ready Player Me shapes, and visemes only without ARKit mouth shapes', () => {
    const rpm = ['mouthOpen', 'mouthSmile', 'eyesClosed', 'viseme_aa', 'viseme_O', 'viseme_sil'];
    const w = weightsFor(rpm, scores({ jawOpen: 0.8, mouthSmileLeft: 0.4, mouthSmileRight: 0.6, eyeBlinkLeft: 1, eyeBlinkRight: 1, mouthFunnel: 0.5 }));
    assert.equal(w.mouthOpen, 0.8);
    assert.equal(w.mouthSmile, 0.5);
    assert.equal(w.eyesClosed, 1);
    assert.equal(w.viseme_aa, 0.8);
    assert.equal(w.viseme_O, 0.5);
    assert.equal(w.viseme_sil, 0);
    const withArkit = weightsFor([...rpm, 'jawOpen'], scores({ jawOpen: 0.8 }));
    assert.equal(withArkit.viseme_aa, 0, 'visemes stay still when ARKit shapes move the mouth');
    assert.equal(withArkit.jawOpen, 0.8);
  });

  it('applies per-channel gain, offset, clamp and curve, an explicit map and a plugin order', () => {
    const names = ['jawOpen', 'eyeBlinkLeft', 'eyeBlinkRight', 'smile', 'EyeWideLeft'];
    const s = scores({ jawOpen: 0.5, eyeBlinkLeft: 0.5, eyeBlinkRight: 0.9, mouthSmileLeft: 0.3, eyeWideLeft: 0.7 });
    const w = weightsFor(names, s, {
      channels: {
        jawOpen: { gain: 1.5, offset: 0.1 },
        eyeBlinkLeft: { curve: 'smoothstep' },
        eyeBlinkRight: { max: 0.6 },
      },
      map: { smile: 'mouthSmileLeft' },
      plugins: ['arkit'],
    });
    assert.equal(w.jawOpen, 0.85);
    assert.equal(w.eyeBlinkLeft, 0.5);
    assert.equal(w.eyeBlinkRight, 0.6);
    assert.equal(w.smile, 0.3);
    assert.equal(w.EyeWideLeft, 0, 'case-insensitive plugin not in the list');
    const pow = weightsFor(['jawOpen'], s, { channels: { jawOpen: { curve: 2 } } });
    assert.equal(pow.jawOpen, 0.25);
    assert.throws(() => buildRetarget(['x'], { plugins: ['nope'] }), /unknown retarget plugin "nope"/);
    assert.throws(() => buildRetarget(['x'], { channels: { notAShape: {} } }), /unknown blendshape channel/);
  });

  it('maps scores onto VRM expressions (visemes, blinks, looks, emotions, custom names)', () => {
    const w = vrmPresetWeights(scores({ jawOpen: 0.5, eyeBlinkLeft: 1, mouthSmileLeft: 0.8, mouthSmileRight: 0.8, eyeLookOutLeft: 0.6, eyeLookInRight: 0.6 }));
    assert.equal(w.aa, 0.6);
    assert.equal(w.blinkLeft, 1);
    assert.equal(w.blinkRight, 0);
    assert.ok(w.happy > 0.9);
    assert.ok(Math.abs(w.lookLeft - 0.6) < 1e-6 && w.lookRight < 0.01);
    const got: Record<string, number> = {};
    let updated = 0;
    driveExpressions({ names: ['aa', 'JawOpen', 'custom'], set: (n, v) => (got[n] = v), update: () => updated++ }, scores({ jawOpen: 0.5 }));
    assert.equal(got.JawOpen, 0.5);
    assert.equal(got.custom, 0);
    assert.equal(updated, 1);
  });
});

describe('camera and crop', () => {
  it('a crop projection maps points to the same pixels as the full frame, offset by the crop', () => {
    const W = 1280, H = 720, fov = 63;
    const crop = { x: 500, y: 120, width: 256, height: 320 };
    const full = perspective(fov, W / H);
    const cp = cropProjection(fov, W, H, crop);
    for (const p of [[3, 2, -50], [-4, -6, -45], [0, 0, -80]] as const) {
      const clip = (m: Float64Array) => {
        const [x, y, z] = p;
        const v = [0, 1, 2, 3].map((r) => m[r] * x + m[4 + r] * y + m[8 + r] * z + m[12 + r]);
        return [v[0] / v[3], v[1] / v[3]];
      };
      const [fx, fy] = clip(full);
      const [cx, cy] = clip(cp);
      const px = ((fx + 1) / 2) * W, py = ((1 - fy) / 2) * H;
      const qx = crop.x + ((cx + 1) / 2) * crop.width, qy = crop.y + ((1 - cy) / 2) * crop.height;
      assert.ok(Math.abs(px - qx) < 1e-6 && Math.abs(py - qy) < 1e-6, `${px},${py} vs ${qx},${qy}`);
    }
  });

  it('projects the canonical origin of a face 50 cm ahead to the frame centre', () => {
    const p = projectCanonical(faceMatrix(0, 0, -50), [0, 0, 0], 63, 640, 480)!;
    assert.ok(Math.abs(p.x - 320) < 1e-9 && Math.abs(p.y - 240) < 1e-9);
    // 63 deg vertical FOV: a point at y = d * tan(31.5 deg) lands on the top edge.
    const q = projectCanonical(faceMatrix(0, 0, -50), [0, 50 * Math.tan((31.5 * Math.PI) / 180), 0], 63, 640, 480)!;
    assert.ok(Math.abs(q.y) < 1e-9);
    assert.deepEqual(transformPoint(faceMatrix(1, 2, 3), [0, 0, 0]), [1, 2, 3]);
  });

  it('crops around the projected head bounds, quantised, inside the frame; null when off-frame', () => {
    const bounds = { min: [-10, -14, -12] as const, max: [10, 15, 10] as const };
    const c = headCrop(faceMatrix(0, 0, -60), bounds, 63, 1280, 720, { marginPx: 4, quantumPx: 32 })!;
    assert.equal(c.width % 32, 0);
    assert.equal(c.height % 32, 0);
    assert.ok(c.x >= 0 && c.y >= 0 && c.x + c.width <= 1280 && c.y + c.height <= 720);
    assert.ok(c.width < 400 && c.height < 500 && c.width > 150, JSON.stringify(c));
    const edge = headCrop(faceMatrix(38, 0, -60), bounds, 63, 1280, 720)!;
    assert.ok(edge.x + edge.width <= 1280);
    assert.equal(headCrop(faceMatrix(200, 0, -60), bounds, 63, 1280, 720), null);
    const behind = headCrop(faceMatrix(0, 0, 5), bounds, 63, 1280, 720);
    assert.deepEqual(behind, { x: 0, y: 0, width: 1280, height: 720 });
  });

  it('crops a turned head to its outline, much tighter than its bounding box, with every outline point inside', () => {
    // A 10 cm ball, turned 45 degrees about y: its box's projection is ~1.4x wider than the ball's.
    const pts: number[] = [];
    for (let i = 0; i <= 12; i++) {
      for (let j = 0; j < 24; j++) {
        const th = (Math.PI * i) / 12;
        const ph = (2 * Math.PI * j) / 24;
        pts.push(10 * Math.sin(th) * Math.cos(ph), 10 * Math.cos(th), 10 * Math.sin(th) * Math.sin(ph));
      }
    }
    const a = Math.PI / 4;
    const m = [Math.cos(a), 0, -Math.sin(a), 0, 0, 1, 0, 0, Math.sin(a), 0, Math.cos(a), 0, 0, 0, -60, 1];
    const outline = Float32Array.from(pts);
    const c = outlineCrop(m, outline, 63, 1280, 720, { marginPx: 0, quantumPx: 1 })!;
    for (let i = 0; i < pts.length; i += 3) {
      const p = projectCanonical(m, [pts[i], pts[i + 1], pts[i + 2]], 63, 1280, 720)!;
      assert.ok(p.x >= c.x - 1 && p.x <= c.x + c.width + 1 && p.y >= c.y - 1 && p.y <= c.y + c.height + 1, `point ${i / 3} outside`);
    }
    const box = headCrop(m, { min: [-10, -10, -10], max: [10, 10, 10] }, 63, 1280, 720, { marginPx: 0, quantumPx: 1 })!;
    assert.ok(c.width < box.width / 1.3, `outline ${c.width} px wide, box ${box.width}`);
    const slack = outlineCrop(m, outline, 63, 1280, 720, { marginPx: 0, quantumPx: 1, slackFraction: 0.1 })!;
    assert.ok(slack.width > c.width + 0.15 * c.width, 'slack widens both sides');
    assert.deepEqual(outlineCrop([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 5, 1], outline, 63, 1280, 720), { x: 0, y: 0, width: 1280, height: 720 });
  });
});

describe('crops and layers', () => {
  const crop: RenderCropData = {
    frame: 7,
    timeMs: 280,
    x: 3,
    y: 1,
    width: 2,
    height: 2,
    bottomUp: true,
    premultiplied: true,
    // bottom row first: (red a=255, half-green a=128), top row: (transparent, blue)
    data: Uint8Array.from([255, 0, 0, 255, 0, 64, 0, 128, 0, 0, 0, 0, 0, 0, 255, 255]),
  };

  it('renderCrop travels as binary with its header', () => {
    const bytes = encodeMessage('renderCrop', crop);
    assert.equal(bytes.length, 32 + 16);
    const m = decodeMessage(bytes);
    assert.equal(m.type, 'renderCrop');
    if (m.type !== 'renderCrop') return;
    assert.deepEqual({ ...m.payload, data: [...m.payload.data] }, { ...crop, data: [...crop.data] });
  });

  it('flips rows to top-down and un-premultiplies alpha', () => {
    const s = toStraightCrop(crop);
    assert.deepEqual([...s.rgba], [0, 0, 0, 0, 0, 0, 255, 255, 255, 0, 0, 255, 0, 128, 0, 128]);
  });

  it('carries only the non-transparent span of each row (spans layout)', () => {
    // Same picture: bottom row pixels 0..1, top row pixel 1 only.
    const table = Buffer.alloc(8);
    table.writeUInt16LE(0, 0);
    table.writeUInt16LE(2, 2);
    table.writeUInt16LE(1, 4);
    table.writeUInt16LE(1, 6);
    const data = Uint8Array.from([...table, 255, 0, 0, 255, 0, 64, 0, 128, 0, 0, 255, 255]);
    const spans: RenderCropData = { ...crop, layout: 'spans', data };
    const m = decodeMessage(encodeMessage('renderCrop', spans));
    assert.equal(m.type, 'renderCrop');
    if (m.type !== 'renderCrop') return;
    assert.equal(m.payload.layout, 'spans');
    assert.deepEqual([...toStraightCrop(m.payload).rgba], [...toStraightCrop(crop).rgba]);
    const bad = Uint8Array.from(data);
    bad[6] = 9; // a span running past the row
    assert.throws(() => decodeMessage(encodeMessageUnchecked(spans, bad)), /expected -1|carries/);
  });

  it('composes full frames that are transparent outside the current crop', () => {
    const layer = new LayerFrames(6, 4, 2);
    const s = toStraightCrop(crop);
    const a = layer.compose(s);
    assert.equal(a[(1 * 6 + 4) * 4 + 2], 255, 'blue at (4,1)');
    layer.compose(null);
    const c = layer.compose({ ...s, x: 0, y: 2 });
    assert.equal(c[(1 * 6 + 4) * 4 + 2], 0, 'old crop cleared');
    assert.equal(c[(3 * 6 + 0) * 4 + 0], 255, 'red at (0,3)');
    const clipped = layer.compose({ ...s, x: 5, y: 3 });
    assert.equal(clipped.length, 6 * 4 * 4);
  });
});

/** A renderCrop message with arbitrary data bytes (bypassing the encoder's checks). */
function encodeMessageUnchecked(c: RenderCropData, data: Uint8Array): Uint8Array {
  const good = encodeMessage('renderCrop', c);
  const out = new Uint8Array(32 + data.length);
  out.set(good.subarray(0, 32));
  out.set(data, 32);
  return out;
}

describe('layer files', () => {
  it('names the layer after the track and encodes ProRes 4444 or PNG in MOV', () => {
    assert.equal(defaultLayerPath('/a/clip.track.ndjson'), '/a/clip.layer.mov');
    assert.equal(defaultLayerPath('/a/clip.ndjson'), '/a/clip.layer.mov');
    const prores = layerEncoderArgs({ width: 4, height: 4, fps: 25, output: 'o.mov', codec: 'prores', pngDir: null }).join(' ');
    assert.match(prores, /prores_ks -profile:v 4444 -pix_fmt yuva444p10le/);
    const png = layerEncoderArgs({ width: 4, height: 4, fps: 29.97, output: 'o.mov', codec: 'png', pngDir: '/d' }).join(' ');
    assert.match(png, /-c:v png -pix_fmt rgba .* -f mov/);
    assert.match(png, /-f image2 -start_number 0 -y \/d\/frame_%06d.png/);
  });

  it('retimes a MOV to variable frame times, frame count unchanged', async () => {
    const mov = join(dir, 'retime.mov');
    const n = 6;
    const raw = Buffer.alloc(16 * 16 * 4 * n, 128);
    const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', '16x16', '-framerate', '25', '-i', 'pipe:0', '-c:v', 'png', '-video_track_timescale', '90000', '-f', 'mov', '-y', mov], { input: raw });
    assert.equal(r.status, 0, String(r.stderr));
    const times = [0, 40, 120, 160, 200, 280];
    assert.deepEqual(frameDurations(times, 40, 90000), [3600, 7200, 3600, 3600, 7200, 3600]);
    assert.equal(await retimeMov(mov, times, 40), true);
    const p = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', mov]);
    assert.deepEqual(String(p.stdout).trim().split('\n').map(Number), times.map((t) => t / 1000));
    const d = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', mov]);
    assert.ok(Math.abs(Number(String(d.stdout)) - 0.32) < 0.002, String(d.stdout));
  });
});

describe('head files', () => {
  async function expectHeadError(path: string, re: RegExp): Promise<void> {
    await assert.rejects(checkHeadFile(path), (e: unknown) => e instanceof NogginError && re.test(e.oneLine()) && !e.oneLine().includes('\n'));
  }

  it('accepts a built test head and reports its morph names', async () => {
    const f = await buildTestHead(dir, { file: 'ok.glb' });
    const info = await checkHeadFile(f);
    assert.equal(info.format, 'glb');
    assert.deepEqual([...info.morphTargetNames].sort(), ['eyeBlinkLeft', 'eyeBlinkRight', 'jawOpen', 'mouthSmileLeft']);
    assert.equal(info.vrm, null);
  });

  it('refuses missing, empty, non-glTF, truncated and oversized files with one line', async () => {
    await expectHeadError(join(dir, 'nope.glb'), /does not exist/);
    await writeFile(join(dir, 'empty.glb'), '');
    await expectHeadError(join(dir, 'empty.glb'), /is empty/);
    await writeFile(join(dir, 'text.glb'), 'hello, this is not a model at all');
    await expectHeadError(join(dir, 'text.glb'), /not a GLB container/);
    const ok = await readFile(await buildTestHead(dir, { file: 'cut.glb' }));
    await writeFile(join(dir, 'cut.glb'), ok.subarray(0, ok.length - 100));
    await expectHeadError(join(dir, 'cut.glb'), /truncated/);
    await writeFile(join(dir, 'head.obj'), 'v 0 0 0');
    await expectHeadError(join(dir, 'head.obj'), /not a head file/);
    await assert.rejects(checkHeadFile(join(dir, 'ok.glb'), { ...DEFAULT_HEAD_LIMITS, maxFileBytes: 100 }), /more than the/);
  });

  it('refuses absurd buffers, huge textures, unsupported required extensions', async () => {
    const glb = (json: object, bin = Buffer.alloc(0)) => {
      let j = Buffer.from(JSON.stringify(json));
      if (j.length % 4) j = Buffer.concat([j, Buffer.alloc(4 - (j.length % 4), 0x20)]);
      const parts = [Buffer.alloc(12), Buffer.alloc(8), j];
      if (bin.length) parts.push(Buffer.alloc(8), bin);
      parts[1].writeUInt32LE(j.length, 0);
      parts[1].writeUInt32LE(0x4e4f534a, 4);
      if (bin.length) {
        parts[3].writeUInt32LE(bin.length, 0);
        parts[3].writeUInt32LE(0x004e4942, 4);
      }
      const total = parts.reduce((a, p) => a + p.length, 0);
      parts[0].writeUInt32LE(0x46546c67, 0);
      parts[0].writeUInt32LE(2, 4);
      parts[0].writeUInt32LE(total, 8);
      return Buffer.concat(parts);
    };
    await writeFile(join(dir, 'huge-buffer.glb'), glb({ asset: { version: '2.0' }, buffers: [{ byteLength: 5e9 }] }));
    await expectHeadError(join(dir, 'huge-buffer.glb'), /buffer 0 claims/);
    await writeFile(join(dir, 'short-buffer.glb'), glb({ asset: { version: '2.0' }, buffers: [{ byteLength: 4096 }] }, Buffer.alloc(16)));
    await expectHeadError(join(dir, 'short-buffer.glb'), /buffer 0 claims 4096 bytes/);
    // A PNG header claiming 20000 x 20000.
    const png = Buffer.alloc(32);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(png);
    png.writeUInt32BE(20000, 16);
    png.writeUInt32BE(20000, 20);
    assert.deepEqual(imageSize(png), { width: 20000, height: 20000 });
    await writeFile(
      join(dir, 'huge-texture.glb'),
      glb({ asset: { version: '2.0' }, buffers: [{ byteLength: 32 }], bufferViews: [{ buffer: 0, byteLength: 32 }], images: [{ bufferView: 0, mimeType: 'image/png' }] }, png),
    );
    await expectHeadError(join(dir, 'huge-texture.glb'), /texture 0 is 20000x20000, larger than 4096/);
    await writeFile(join(dir, 'draco.glb'), glb({ asset: { version: '2.0' }, extensionsRequired: ['KHR_draco_mesh_compression'] }));
    await expectHeadError(join(dir, 'draco.glb'), /requires the glTF extension KHR_draco_mesh_compression/);
    await writeFile(join(dir, 'gltf1.glb'), glb({ asset: { version: '1.0' } }));
    await expectHeadError(join(dir, 'gltf1.glb'), /not 2\.x/);
    await writeFile(join(dir, 'plain.vrm'), glb({ asset: { version: '2.0' } }));
    await expectHeadError(join(dir, 'plain.vrm'), /without a VRMC_vrm or VRM extension/);
  });

  it('resolves a head by file with its sibling profile, and names shipped heads when unknown', async () => {
    const f = await buildTestHead(dir, { file: 'profiled.glb', profile: { retarget: { jawOpen: { gain: 2, curve: 'smoothstep' } }, retargetPlugins: ['arkit'] } });
    const h = await resolveHead(f);
    assert.equal(h.profile?.anchor.unitsPerCm, 0.01);
    assert.deepEqual(h.retarget.channels?.jawOpen, { gain: 2, offset: 0, min: 0, max: 1, curve: 'smoothstep' });
    assert.deepEqual(h.retarget.plugins, ['arkit']);
    await assert.rejects(resolveHead('no-such-mascot'), (e: unknown) => e instanceof NogginError && /no head named "no-such-mascot"/.test(e.oneLine()));
    await mkdir(join(dir, 'badprofile'), { recursive: true });
    const g = await buildTestHead(join(dir, 'badprofile'), { file: 'x.glb', profile: { anchor: { originCm: [0, 0], unitsPerCm: 1 } } });
    await assert.rejects(resolveHead(g), (e: unknown) => e instanceof NogginError && /profile .*anchor\.originCm/.test(e.oneLine()));
  });
});

describe('tracks', () => {
  it('refuses a track without trailer before rendering', async () => {
    const p = await writeTrack(join(dir, 'cut.track.ndjson'), [frame(0, faceMatrix(0, 0, -50)), frame(1, null)], 64, 64, 25, { trailer: false });
    await assert.rejects(assertTrackComplete(p), (e: unknown) => e instanceof NogginError && /incomplete \(it has no trailer/.test(e.oneLine()));
    const q = await writeTrack(join(dir, 'ok.track.ndjson'), [frame(0, faceMatrix(0, 0, -50))], 64, 64);
    await assertTrackComplete(q);
    await assert.rejects(assertTrackComplete(join(dir, 'none.track.ndjson')), /does not exist/);
  });
});

describe('lighting matched to the footage', () => {
  const W = 200;
  const H = 200;
  /** A frame: background grey `bg`, a face disc of skin `skin` (0-255 sRGB) shaded by a linear-light slope. */
  function sample(o: { bg: number; skin: number; gx: number; gy: number }): LightingSample {
    const rgba = new Uint8Array(W * H * 4);
    const fh = 100;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inFace = Math.hypot(x - 100, y - 100) < 60;
        const lin = inFace ? ((o.skin / 255) ** 2.2) * Math.max(0.05, 1 + (o.gx * (x - 100)) / fh + (o.gy * (100 - y)) / fh) : (o.bg / 255) ** 2.2;
        const v = Math.round(255 * Math.min(1, lin) ** (1 / 2.2));
        rgba.set([v, v, v, 255], (y * W + x) * 4);
      }
    }
    const lm = new Float32Array(478 * 3).fill(0.5);
    const put = (i: number, x: number, y: number) => lm.set([x / W, y / H, 0], i * 3);
    put(KEY_POINTS.foreheadTop, 100, 50);
    put(KEY_POINTS.chin, 100, 150);
    LIGHTING_PROBES.rightCheek.forEach((i, k) => put(i, 70 - (k % 3) * 5, 100 + (k - 3) * 5));
    LIGHTING_PROBES.leftCheek.forEach((i, k) => put(i, 130 + (k % 3) * 5, 100 + (k - 3) * 5));
    LIGHTING_PROBES.forehead.forEach((i, k) => put(i, 85 + k * 6, 65 + (k % 2) * 5));
    LIGHTING_PROBES.jaw.forEach((i, k) => put(i, 85 + k * 7, 135 - (k % 2) * 4));
    return { rgba, width: W, height: H, landmarks: lm };
  }

  it('points the key light where the face is brighter, raises contrast with the slope, and sets exposure from the frame, not the skin', () => {
    const right = estimateLighting([sample({ bg: 120, skin: 180, gx: 0.8, gy: 0 })]);
    const left = estimateLighting([sample({ bg: 120, skin: 180, gx: -0.8, gy: 0.4 })]);
    const flat = estimateLighting([sample({ bg: 120, skin: 180, gx: 0, gy: 0 })]);
    assert.ok(right.keyFrom[0] > 0.4, `lit from the right: ${right.keyFrom}`);
    assert.ok(left.keyFrom[0] < -0.4 && left.keyFrom[1] > 0.1, `lit from the upper left: ${left.keyFrom}`);
    assert.ok(Math.abs(flat.keyFrom[0]) < 0.05 && flat.keyFrom[2] > 0.95, `flat light from the front: ${flat.keyFrom}`);
    assert.ok(right.key > flat.key && right.ambient < flat.ambient, 'a strong slope means more key, less ambient');
    assert.ok(Math.abs(Math.hypot(...right.keyFrom) - 1) < 1e-6);
    const darkSkin = estimateLighting([sample({ bg: 120, skin: 90, gx: 0.8, gy: 0 })]);
    assert.ok(Math.abs(darkSkin.key - right.key) < 0.02 && Math.abs(darkSkin.keyFrom[0] - right.keyFrom[0]) < 0.05, 'skin tone does not change the lights');
    const dim = estimateLighting([sample({ bg: 50, skin: 180, gx: 0.8, gy: 0 })]);
    assert.ok(dim.key < right.key && dim.ambient < right.ambient, 'a darker shot gets dimmer lights');
    assert.deepEqual(estimateLighting([]), STUDIO_LIGHTING);
  });
});

describe('edge smoothing (--antialias edges)', () => {
  /** w x h premultiplied RGBA: opaque `rgb` where inside(x, y), transparent elsewhere. */
  function image(w: number, h: number, rgb: [number, number, number], inside: (x: number, y: number) => boolean): Uint8Array {
    const px = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (inside(x, y)) px.set([...rgb, 255], (y * w + x) * 4);
    return px;
  }

  it('softens the outline and colour steps over one pixel, keeps flat areas and premultiplication, leaves its input alone', () => {
    const w = 16;
    const h = 12;
    // A dark (nearly black) square: only its alpha shows the edge.
    const src = image(w, h, [10, 10, 10], (x, y) => x >= 4 && x < 12 && y >= 3 && y < 9);
    const copy = src.slice();
    const dst = new Uint8Array(src.length);
    smoothEdges(src, w, h, dst, new Uint8Array(w * h));
    assert.deepEqual(src, copy, 'input untouched');
    const a = (x: number, y: number) => dst[(y * w + x) * 4 + 3];
    assert.equal(a(8, 6), 255, 'inside stays opaque');
    assert.equal(a(1, 1), 0, 'far outside stays clear');
    assert.ok(a(4, 6) > 128 && a(4, 6) < 255, `inner edge pixel partly covered (${a(4, 6)})`);
    assert.ok(a(3, 6) > 0 && a(3, 6) < 128, `outer edge pixel partly covered (${a(3, 6)})`);
    for (let p = 0; p < w * h; p++) for (let c = 0; c < 3; c++) assert.ok(dst[p * 4 + c] <= dst[p * 4 + 3], 'still premultiplied');
    // A brightness step inside an opaque area is softened too; a flat area is not touched.
    const two = image(w, h, [250, 250, 250], () => true);
    for (let y = 0; y < h; y++) for (let x = 8; x < w; x++) two.set([20, 20, 20, 255], (y * w + x) * 4);
    const out = new Uint8Array(two.length);
    smoothEdges(two, w, h, out, new Uint8Array(w * h));
    const g = (x: number) => out[(6 * w + x) * 4 + 1];
    assert.equal(g(3), 250);
    assert.equal(g(12), 20);
    assert.ok(g(7) < 250 && g(7) > 135 && g(8) > 20 && g(8) < 135, `step softened: ${g(6)} ${g(7)} ${g(8)} ${g(9)}`);
  });

  it('looks only at each row\'s non-empty span, with the same result as a scan of every pixel', () => {
    const w = 40;
    const h = 30;
    const rnd = seededRandom(7);
    // A blob with ragged rows, an empty band, a lone pixel at a span's end and one in a
    // corner, colour steps inside: everything the span bookkeeping could get wrong.
    const src = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) {
      if (y >= 12 && y < 15) continue;
      const x0 = 5 + Math.floor(rnd() * 8);
      const x1 = 20 + Math.floor(rnd() * 15);
      for (let x = x0; x <= x1; x++) {
        const a = x === x0 || x === x1 ? 128 : 255;
        const v = Math.floor(rnd() * 256);
        src.set([(v * a) >> 8, (((v + 90) & 255) * a) >> 8, (((v * 7) & 255) * a) >> 8, a], (y * w + x) * 4);
      }
    }
    src.set([200, 200, 200, 255], (13 * w + 39) * 4);
    src.set([90, 0, 0, 255], 0);
    const dst = new Uint8Array(src.length);
    smoothEdges(src, w, h, dst, new Uint8Array(w * h));
    assert.deepEqual(dst, smoothEveryPixel(src, w, h));
    // An unaligned view of the same pixels gives the same result.
    const shifted = new Uint8Array(src.length + 1);
    shifted.set(src, 1);
    const dst2 = new Uint8Array(src.length);
    smoothEdges(shifted.subarray(1), w, h, dst2, new Uint8Array(w * h));
    assert.deepEqual(dst2, dst);
  });

  /** The rule of `smoothEdges` applied to every inner pixel (the reference). */
  function smoothEveryPixel(src: Uint8Array, w: number, h: number): Uint8Array {
    const out = src.slice();
    const luma = (i: number) => (2 * src[i * 4] + 5 * src[i * 4 + 1] + src[i * 4 + 2]) >> 3;
    const alpha = (i: number) => src[i * 4 + 3];
    for (let y = 1; y < h - 1; y++) {
      for (let x = 1; x < w - 1; x++) {
        const i = y * w + x;
        const edge = [i - 1, i + 1, i - w, i + w].some((j) => Math.abs(alpha(i) - alpha(j)) >= 48 || Math.abs(luma(i) - luma(j)) >= 40);
        if (!edge) continue;
        for (let c = 0; c < 4; c++) {
          let s = 0;
          for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) s += (2 - Math.abs(dx)) * (2 - Math.abs(dy)) * src[((y + dy) * w + x + dx) * 4 + c];
          out[i * 4 + c] = (s + 8) >> 4;
        }
      }
    }
    return out;
  }
});

// Keep the index import used (I is handy when debugging weights).
void I;
