/**
 * Render stage in headless Chromium: heads built in the test (glTF with markers at the
 * canonical anchor points, morphs in several naming conventions, quantized + meshopt +
 * textured + skinned variants), crops lined up with the camera, straight alpha, morphs,
 * bad inputs (corrupt file, no morphs, lost WebGL context), and `renderTrack` output
 * (frame count and timing of the .mov, PNG sequence, nothing left on failure).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ARKIT_BLENDSHAPES } from '../core/blendshapes.js';
import { NogginError } from '../core/errors.js';
import { projectCanonical } from '../render/camera-math.js';
import { renderTrack } from '../render/index.js';
import type { RenderedFrame } from '../render/renderer-client.js';
import { buildTestHead, colourCentroid, faceMatrix, frame, iter, MARKERS, patchGlbJson, RenderRig, scores, tempDir, writeTrack } from './render-fixtures.js';

const W = 640;
const H = 480;
let rig: RenderRig;
let dir = '';

before(async () => {
  dir = await tempDir();
  rig = await RenderRig.start();
});
after(async () => {
  await rig?.close();
});

async function collect(it: AsyncIterable<RenderedFrame>): Promise<RenderedFrame[]> {
  const out: RenderedFrame[] = [];
  for await (const f of it) out.push(f);
  return out;
}

describe('render page', () => {
  it('renders a glTF head posed by the track, lined up with the 63-degree camera, as a straight-alpha crop', async () => {
    const file = await buildTestHead(dir, { skull: false, file: 'markers.glb' });
    const { renderer } = await rig.open(file, { frameWidth: W, frameHeight: H, verticalFovDeg: 63, align: 'none' });
    try {
      assert.equal(renderer.info.head.loader, 'gltf');
      assert.deepEqual(renderer.info.head.bound, { jawOpen: 'arkit' });
      const poses = [faceMatrix(0, 0, -50), faceMatrix(6, -3, -45, 25), faceMatrix(-8, 4, -70, -30)];
      const frames = [...poses.map((m, i) => frame(i, m)), frame(3, poses[1], scores({ jawOpen: 1 })), frame(4, null)];
      const out = await collect(renderer.render(iter(frames)));
      assert.deepEqual(out.map((f) => f.frame), [0, 1, 2, 3, 4]);
      assert.equal(out[4].crop, null, 'no face: nothing drawn');
      for (let i = 0; i < 3; i++) {
        const c = out[i].crop!;
        assert.ok(c.x >= 0 && c.y >= 0 && c.x + c.width <= W && c.y + c.height <= H, 'crop inside the frame');
        assert.ok(c.width < W / 2, `a crop, not the frame (${c.width}x${c.height})`);
        for (const [name, m] of Object.entries(MARKERS)) {
          const got = colourCentroid(c, m.rgb)!;
          const want = projectCanonical(poses[i], m.at, 63, W, H)!;
          assert.ok(got, `${name} visible in frame ${i}`);
          assert.ok(Math.hypot(got.x - want.x, got.y - want.y) < 1, `${name} frame ${i}: drawn at ${got.x.toFixed(1)},${got.y.toFixed(1)}, projects to ${want.x.toFixed(1)},${want.y.toFixed(1)}`);
        }
        // Background transparent; edge pixels carry straight (not darkened) colour.
        assert.equal(c.rgba[3], 0);
        let edge = 0;
        for (let p = 0; p < c.width * c.height; p++) {
          const a = c.rgba[p * 4 + 3];
          if (a > 20 && a < 235 && c.rgba[p * 4 + 1] < 30 && c.rgba[p * 4 + 2] < 30) {
            assert.ok(c.rgba[p * 4] > 200, `edge of the red marker has straight red (${c.rgba[p * 4]} at alpha ${a})`);
            edge++;
          }
        }
        assert.ok(edge > 0, 'anti-aliased edges exist');
      }
      // jawOpen drops the chin marker 3 cm.
      const open = colourCentroid(out[3].crop!, MARKERS.chin.rgb)!;
      const shut = colourCentroid(out[1].crop!, MARKERS.chin.rgb)!;
      assert.ok(open.y - shut.y > 20, `chin moved ${open.y - shut.y} px`);
      // The page's own camera and nodes agree with the math.
      const [pts] = await renderer.project([poses[1]], [MARKERS.noseTip.at]);
      const want = projectCanonical(poses[1], MARKERS.noseTip.at, 63, W, H)!;
      assert.ok(Math.hypot(pts[0]!.x - want.x, pts[0]!.y - want.y) < 1e-3);
    } finally {
      await renderer.close();
    }
  });

  it('applies every active morph target at once, on the CPU and in the shader (no influencer cap drops one)', async () => {
    // jawOpen last of 51 targets, all 51 active: a cap below the target count once lost it.
    const names = [...ARKIT_BLENDSHAPES.filter((n) => n !== 'jawOpen'), 'jawOpen'];
    const file = await buildTestHead(dir, { skull: false, file: 'many-morphs.glb', morphNames: names, jawTarget: 'jawOpen' });
    const all = scores(Object.fromEntries(ARKIT_BLENDSHAPES.map((n) => [n, n === 'jawOpen' ? 1 : 0.5])));
    const m = faceMatrix(0, 0, -50);
    for (const morphsOn of ['cpu', 'gpu'] as const) {
      const { renderer } = await rig.open(file, { frameWidth: W, frameHeight: H, verticalFovDeg: 63, align: 'none', morphsOn });
      try {
        const out = await collect(renderer.render(iter([frame(0, m), frame(1, m, all), frame(2, m)])));
        const shut = colourCentroid(out[0].crop!, MARKERS.chin.rgb)!;
        const open = colourCentroid(out[1].crop!, MARKERS.chin.rgb)!;
        const back = colourCentroid(out[2].crop!, MARKERS.chin.rgb)!;
        assert.ok(open.y - shut.y > 20, `${morphsOn}: chin moved ${(open.y - shut.y).toFixed(1)} px with all 51 targets active`);
        assert.ok(Math.abs(back.y - shut.y) < 0.5, `${morphsOn}: back to neutral (${(back.y - shut.y).toFixed(2)} px)`);
      } finally {
        await renderer.close();
      }
    }
  });

  it('binds morphs by naming convention (several meshes share the names) and loads quantized, meshopt, textured, skinned, unlit heads offline', async () => {
    const file = await buildTestHead(dir, {
      file: 'conventions.glb',
      morphNames: ['JawOpen', 'eyeBlink_L', 'browInnerUp', 'viseme_aa', 'mouthSmile', 'zzz'],
      jawTarget: 'JawOpen',
      quantize: true,
      meshopt: true,
      texture: true,
      skin: true,
    });
    const { renderer } = await rig.open(file, { frameWidth: W, frameHeight: H, verticalFovDeg: 63, align: 'none' });
    try {
      const info = renderer.info.head;
      assert.deepEqual(info.bound, { JawOpen: 'case-insensitive', eyeBlink_L: 'suffix-lr', browInnerUp: 'arkit', viseme_aa: 'ready-player-me', mouthSmile: 'ready-player-me' });
      assert.deepEqual(info.unbound, ['zzz']);
      assert.equal(info.meshes, 6, 'skull, teeth and four markers');
      for (const e of ['KHR_mesh_quantization', 'EXT_meshopt_compression', 'KHR_texture_transform', 'KHR_materials_unlit']) assert.ok(info.plugins.includes(e), `${e} in ${info.plugins}`);
      const m = faceMatrix(0, 0, -50);
      const out = await collect(renderer.render(iter([frame(0, m), frame(1, m, scores({ jawOpen: 1 }))])));
      const nose = colourCentroid(out[0].crop!, MARKERS.noseTip.rgb, 60)!;
      const want = projectCanonical(m, MARKERS.noseTip.at, 63, W, H)!;
      assert.ok(Math.hypot(nose.x - want.x, nose.y - want.y) < 1.5, 'quantized geometry in place');
      const c = out[0].crop!;
      const centre = ((c.height >> 1) * c.width + (c.width >> 1)) * 4;
      assert.equal(c.rgba[centre + 3], 255, 'the textured skull is drawn');
      const a = colourCentroid(out[0].crop!, MARKERS.chin.rgb)!;
      const b = colourCentroid(out[1].crop!, MARKERS.chin.rgb)!;
      assert.ok(b.y - a.y > 20, 'JawOpen (case-insensitive) follows jawOpen');
    } finally {
      await renderer.close();
    }
  });

  it('a head without morphs or profile loads with warnings and follows the pose; a lost WebGL context stops the render with one line', async () => {
    const file = await buildTestHead(dir, { file: 'rigid.glb', morphNames: [], jawTarget: null, profile: false });
    const { renderer } = await rig.open(file, { frameWidth: W, frameHeight: H, verticalFovDeg: 63, align: 'none' });
    try {
      assert.match(renderer.info.head.warnings.join(' '), /no morph targets: it follows the head pose only/);
      assert.match(renderer.info.head.warnings.join(' '), /no profile anchor/);
      const out = await collect(renderer.render(iter([frame(0, faceMatrix(-5, 0, -50)), frame(1, faceMatrix(5, 0, -50))])));
      const a = colourCentroid(out[0].crop!, MARKERS.noseTip.rgb)!;
      const b = colourCentroid(out[1].crop!, MARKERS.noseTip.rgb)!;
      assert.ok(b.x - a.x > 50, 'moves with the pose');
      const m = faceMatrix(0, 0, -50);
      async function* frames() {
        for (let i = 0; i < 3; i++) yield frame(i, m);
        await renderer.loseContext();
        for (let i = 3; i < 6; i++) yield frame(i, m);
      }
      const seen: number[] = [];
      await assert.rejects(
        (async () => {
          for await (const f of renderer.render(frames())) seen.push(f.frame);
        })(),
        (e: unknown) => e instanceof NogginError && /WebGL context was lost/.test(e.oneLine()) && !e.oneLine().includes('\n'),
      );
      assert.ok(seen.length >= 1 && seen.length < 6, `frames before the loss: ${seen}`);
    } finally {
      await renderer.close();
    }
  });

  it('a corrupt GLB (valid container, nonsense accessor) fails with one line', async () => {
    // Valid container and buffers, nonsense accessor type: only the loader can tell.
    const good = await readFile(await buildTestHead(dir, { file: 'good.glb', profile: false }));
    const corrupt = patchGlbJson(good, (json) => {
      (json.accessors as { type: string }[])[0].type = 'VEC7';
    });
    await writeFile(join(dir, 'corrupt.glb'), corrupt);
    await assert.rejects(rig.open(join(dir, 'corrupt.glb'), { frameWidth: W, frameHeight: H, verticalFovDeg: 63 }), (e: unknown) => {
      assert.ok(e instanceof NogginError, String(e));
      assert.match(e.oneLine(), /^noggin head: .*corrupt\.glb failed to load \(.+\)\. Fix: /);
      assert.ok(!e.oneLine().includes('\n'));
      return true;
    });

  });
});

describe('renderTrack', () => {
  it('writes a full-frame alpha layer: one frame per track frame, source timing kept, PNG sequence too', async () => {
    const file = await buildTestHead(dir, { file: 'layer.glb', skull: false });
    const times = [0, 40, 80, 160, 200, 240, 320, 360];
    const frames = times.map((t, i) => ({ ...frame(i, i === 4 ? null : faceMatrix(-3 + i, 0, -50), scores({ jawOpen: i / 8 })), timeMs: t }));
    const track = await writeTrack(join(dir, 'clip.track.ndjson'), frames, 320, 240, 25);
    const mov = join(dir, 'clip.layer.mov');
    const pngDir = join(dir, 'pngs');
    const s = await renderTrack({ track, head: file, output: mov, pngDir, chromium: rig.chromium, codec: 'prores', align: 'none' });
    assert.equal(s.frames, 8);
    assert.equal(s.drawn, 7);
    const probe = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,pix_fmt,width,height:packet=pts_time', '-of', 'json', mov]);
    const p = JSON.parse(String(probe.stdout));
    assert.equal(p.streams[0].codec_name, 'prores');
    assert.match(p.streams[0].pix_fmt, /^yuva444p/);
    assert.equal(p.streams[0].width, 320);
    assert.deepEqual(p.packets.map((k: { pts_time: string }) => Math.round(Number(k.pts_time) * 1000)), times);
    const pngs = (await readdir(pngDir)).filter((f) => f.endsWith('.png'));
    assert.equal(pngs.length, 8);
    assert.ok(existsSync(join(pngDir, 'frames.ffconcat')));
    // Frame 4 (no face) is fully transparent; frame 3 is not.
    const alphaMax = (f: string) => {
      const r = spawnSync('ffmpeg', ['-v', 'error', '-i', join(pngDir, f), '-f', 'rawvideo', '-pix_fmt', 'rgba', 'pipe:1'], { maxBuffer: 1 << 24 });
      let m = 0;
      for (let i = 3; i < r.stdout.length; i += 4) m = Math.max(m, r.stdout[i]);
      return m;
    };
    assert.equal(alphaMax('frame_000004.png'), 0);
    assert.equal(alphaMax('frame_000003.png'), 255);
    assert.deepEqual((await readdir(dir)).filter((f) => f.includes('.tmp') || f.includes('.partial')), [], 'no temporary files left');
  });

  it('leaves nothing that looks complete when the head is bad or the track has no trailer', async () => {
    const sub = join(dir, 'fail');
    await mkdir(sub);
    const track = await writeTrack(join(sub, 't.track.ndjson'), [frame(0, faceMatrix(0, 0, -50))], 160, 120);
    await writeFile(join(sub, 'bad.glb'), 'glTF but not really');
    await assert.rejects(renderTrack({ track, head: join(sub, 'bad.glb'), output: join(sub, 'o.mov'), chromium: rig.chromium }), /not a GLB container/);
    const cut = await writeTrack(join(sub, 'cut.track.ndjson'), [frame(0, faceMatrix(0, 0, -50))], 160, 120, 25, { trailer: false });
    await assert.rejects(renderTrack({ track: cut, head: join(sub, 'bad.glb'), output: join(sub, 'o.mov'), chromium: rig.chromium }), /incomplete/);
    assert.deepEqual((await readdir(sub)).sort(), ['bad.glb', 'cut.track.ndjson', 't.track.ndjson']);
  });
});
