/**
 * KHR_texture_basisu (KTX2 / Basis Universal) heads, offline: KTX2 files encoded in the test
 * (ETC1S and UASTC, with the `ktx2-encoder` package), transcoded in Node with the `three`
 * package's transcoder, checked by the Node-side head check (sizes from the KTX2 header),
 * and rendered in headless Chromium with the page's own transcoder copy: the texture's two
 * tones arrive where the PNG of the same image puts them; a corrupt payload fails with one line.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NogginError } from '../core/errors.js';
import { checkHeadFile } from '../render/head-check.js';
import { readKtx2Header } from '../render/loaders/ktx2-header.js';
import { checkKtx2Header, instantiateBasis, transcodeKtx2ToRgba, type BasisModule } from '../render/loaders/ktx2-transcode.js';
import type { RenderedFrame } from '../render/renderer-client.js';
import { PAGES_DIR } from '../system/paths.js';
import { buildTestHead, encodeKtx2, faceMatrix, frame, iter, RenderRig, tempDir, TWO_TONE, twoTone } from './render-fixtures.js';

const W = 640;
const H = 480;
let dir = '';
let basis: BasisModule;

before(async () => {
  dir = await tempDir('noggin-ktx2-');
  // The copy `npm run build` puts beside the page bundles: the files the pages fetch.
  basis = await instantiateBasis(await readFile(join(PAGES_DIR, 'basis', 'basis_transcoder.js'), 'utf8'), await readFile(join(PAGES_DIR, 'basis', 'basis_transcoder.wasm')));
});

/** The bytes of the (only) image of a GLB and where they sit in the file. */
async function glbImage(file: string): Promise<{ glb: Buffer; at: number; bytes: Buffer }> {
  const glb = await readFile(file);
  const jsonLen = glb.readUInt32LE(12);
  const json = JSON.parse(glb.subarray(20, 20 + jsonLen).toString('utf8')) as { images: { bufferView: number }[]; bufferViews: { byteOffset?: number; byteLength: number }[] };
  const view = json.bufferViews[json.images[0].bufferView];
  const at = 20 + jsonLen + 8 + (view.byteOffset ?? 0);
  return { glb, at, bytes: glb.subarray(at, at + view.byteLength) };
}

/** Mean red minus blue (0-255 levels) over the opaque pixels of rows [from, to) of a crop (fractions of its height). */
function redMinusBlue(c: NonNullable<RenderedFrame['crop']>, from: number, to: number): number {
  let sum = 0;
  let n = 0;
  for (let y = Math.floor(from * c.height); y < Math.floor(to * c.height); y++) {
    for (let x = 0; x < c.width; x++) {
      const i = (y * c.width + x) * 4;
      if (c.rgba[i + 3] < 255) continue;
      sum += c.rgba[i] - c.rgba[i + 2];
      n++;
    }
  }
  return n ? sum / n : 0;
}

function near(got: ArrayLike<number>, want: readonly number[], tol: number): boolean {
  return want.every((v, i) => Math.abs(got[i] - v) <= tol);
}

describe('KTX2 transcoding (Node, the pages\' transcoder)', () => {
  for (const encoding of ['etc1s', 'uastc'] as const) {
    it(`${encoding.toUpperCase()}: both tones come back, rows from the top, within the codec's error`, async () => {
      const ktx2 = await encodeKtx2(32, 32, twoTone(32, TWO_TONE.top, TWO_TONE.bottom), encoding);
      const img = transcodeKtx2ToRgba(basis, ktx2, 4096);
      assert.equal(img.encoding, encoding);
      assert.deepEqual([img.width, img.height, img.rgba.length], [32, 32, 32 * 32 * 4]);
      const first = img.rgba.subarray(0, 4);
      const last = img.rgba.subarray(img.rgba.length - 4);
      assert.ok(near(first, TWO_TONE.top, 4), `top row ${[...first]}`);
      assert.ok(near(last, TWO_TONE.bottom, 4), `bottom row ${[...last]}`);
      assert.equal(first[3], 255);
    });
  }

  it('limits and corruption: one-line errors, the size refused from the header before transcoding', async () => {
    const ktx2 = await encodeKtx2(32, 32, twoTone(32, TWO_TONE.top, TWO_TONE.bottom), 'etc1s');
    assert.deepEqual({ ...readKtx2Header(ktx2)!, vkFormat: 0 }, { vkFormat: 0, width: 32, height: 32, depth: 0, layers: 0, faces: 1, levels: 1, supercompression: 'basislz' });
    assert.throws(() => checkKtx2Header(ktx2, 16), /^Error: 32x32, larger than 16 px per side$/);
    const big = Uint8Array.from(ktx2);
    new DataView(big.buffer).setUint32(20, 100000, true);
    assert.throws(() => transcodeKtx2ToRgba(basis, big, 4096), /100000x32, larger than 4096 px per side/);
    assert.throws(() => transcodeKtx2ToRgba(basis, ktx2.subarray(0, ktx2.length - 10), 4096), /truncated: mip level 0 ends at byte \d+, the file has \d+/);
    assert.throws(() => transcodeKtx2ToRgba(basis, new Uint8Array(64), 4096), /not a KTX2 file/);
    const garbled = Uint8Array.from(ktx2);
    for (let i = 200; i < garbled.length; i++) garbled[i] ^= 0x5a;
    assert.throws(() => transcodeKtx2ToRgba(basis, garbled, 4096), (e: Error) => /transcoder|transcode|corrupt/.test(e.message) && !e.message.includes('\n'));
  });
});

describe('KTX2 heads', () => {
  let rig: RenderRig;
  before(async () => {
    rig = await RenderRig.start();
  });
  after(async () => {
    await rig?.close();
  });

  async function render(file: string): Promise<{ crop: NonNullable<RenderedFrame['crop']>; plugins: readonly string[] }> {
    const { renderer } = await rig.open(file, { frameWidth: W, frameHeight: H, verticalFovDeg: 63, align: 'none' });
    try {
      const out: RenderedFrame[] = [];
      for await (const f of renderer.render(iter([frame(0, faceMatrix(0, 0, -50))]))) out.push(f);
      return { crop: out[0].crop!, plugins: renderer.info.head.plugins };
    } finally {
      await renderer.close();
    }
  }

  it('the head check accepts KHR_texture_basisu and reads texture sizes from the KTX2 header', async () => {
    const file = await buildTestHead(dir, { file: 'uastc.glb', twoToneTexture: 'ktx2-uastc' });
    const info = await checkHeadFile(file);
    assert.ok(info.extensionsRequired.includes('KHR_texture_basisu'), `${info.extensionsRequired}`);
    const { glb, at } = await glbImage(file);
    const big = Buffer.from(glb);
    big.writeUInt32LE(8192, at + 20);
    await writeFile(join(dir, 'big.glb'), big);
    await assert.rejects(checkHeadFile(join(dir, 'big.glb')), (e: unknown) => e instanceof NogginError && /texture 0 is 8192x32, larger than 4096 px per side/.test(e.oneLine()));
  });

  it('ETC1S and UASTC heads render offline and draw the pixels the PNG of the same image draws', async () => {
    const png = (await render(await buildTestHead(dir, { file: 'png.glb', twoToneTexture: 'png' }))).crop;
    // The reference itself: the orange top tone on the top of the head, the blue one below.
    assert.ok(redMinusBlue(png, 0, 1 / 3) > 50 && redMinusBlue(png, 2 / 3, 1) < -50, `PNG: red - blue ${redMinusBlue(png, 0, 1 / 3).toFixed(0)} at the top, ${redMinusBlue(png, 2 / 3, 1).toFixed(0)} at the bottom`);
    for (const encoding of ['ktx2-etc1s', 'ktx2-uastc'] as const) {
      const got = await render(await buildTestHead(dir, { file: `${encoding}.glb`, twoToneTexture: encoding }));
      assert.ok(got.plugins.includes('KHR_texture_basisu'), `${encoding}: plugins ${got.plugins}`);
      const c = got.crop;
      assert.deepEqual([c.x, c.y, c.width, c.height], [png.x, png.y, png.width, png.height]);
      // Per opaque pixel: a flipped image, a wrong transfer function or a missing texture differ by tens of levels.
      let diff = 0;
      let opaque = 0;
      for (let i = 0; i < png.rgba.length; i += 4) {
        if (png.rgba[i + 3] < 255) continue;
        opaque++;
        for (let k = 0; k < 4; k++) diff += Math.abs(png.rgba[i + k] - c.rgba[i + k]);
      }
      assert.ok(opaque > 10000, `${opaque} opaque pixels`);
      assert.ok(diff / opaque / 4 < 1.5, `${encoding}: mean difference from the PNG ${(diff / opaque / 4).toFixed(2)} per channel`);
    }
  });

  it('a corrupt KTX2 payload fails with one load line naming the image', async () => {
    const { glb, at, bytes } = await glbImage(await buildTestHead(dir, { file: 'etc1s-good.glb', twoToneTexture: 'ktx2-etc1s', profile: false }));
    const bad = Buffer.from(glb);
    // Past the header and level index: the Basis payload itself.
    for (let i = at + 200; i < at + bytes.length; i++) bad[i] ^= 0x5a;
    await writeFile(join(dir, 'etc1s-bad.glb'), bad);
    await checkHeadFile(join(dir, 'etc1s-bad.glb'));
    await assert.rejects(rig.open(join(dir, 'etc1s-bad.glb'), { frameWidth: W, frameHeight: H, verticalFovDeg: 63 }), (e: unknown) => {
      assert.ok(e instanceof NogginError, String(e));
      assert.match(e.oneLine(), /etc1s-bad\.glb failed to load \(.*KHR_texture_basisu image 0 "twoTone": .*(transcode|corrupt).*\)/);
      assert.ok(!e.oneLine().includes('\n'));
      return true;
    });
  });
});
