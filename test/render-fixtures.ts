/**
 * Fixtures for the render tests: small heads built with glTF-Transform (markers at the
 * canonical anchor points, morph targets in a chosen naming convention, optional
 * quantization / meshopt / texture / skin), short synthetic tracks, cached real tracks of
 * the shared clips, and a browser + page host shared by a test file.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Document, NodeIO, type Material, type Mesh } from '@gltf-transform/core';
import { ALL_EXTENSIONS, KHRMaterialsUnlit, KHRTextureBasisu, KHRTextureTransform } from '@gltf-transform/extensions';
import { meshopt, quantize } from '@gltf-transform/functions';
import { MeshoptEncoder } from 'meshoptimizer';
import { tempDir as makeTempDir } from './helpers/temp-dir.js';
import { BLENDSHAPE_COUNT, BLENDSHAPE_INDEX, type MediaPipeBlendshape } from '../core/blendshapes.js';
import { CANONICAL_EYE_CENTER, CANONICAL_FACE, type CanonicalPoint } from '../core/canonical-face.js';
import { LANDMARK_FLOATS } from '../core/landmarks.js';
import { makeTrackHeader, type TrackFrame } from '../core/track.js';
import { TrackWriter } from '../core/track-file.js';
import { launchChromium, type ChromiumHandle } from '../system/chromium.js';
import { startPageHost, type PageHost } from '../system/page-host.js';
import { PROJECT_ROOT } from '../system/paths.js';
import { headHostFiles, resolveHead, type HeadSource } from '../render/head-source.js';
import { RendererClient, type RendererOptions } from '../render/renderer-client.js';

/** The shared test data folder (../shared beside the checkout). */
export const SHARED = join(PROJECT_ROOT, '..', 'shared');
/** Where the render tests keep artifacts between runs (git-ignored). */
export const ARTIFACTS = join(PROJECT_ROOT, 'test-artifacts', 'render');

/** Marker colours (unlit, exact in the render) per alignment anchor. */
export const MARKERS: Record<'noseTip' | 'rightEyeCenter' | 'leftEyeCenter' | 'chin', { at: CanonicalPoint; rgb: [number, number, number] }> = {
  noseTip: { at: CANONICAL_FACE.noseTip, rgb: [255, 0, 0] },
  rightEyeCenter: { at: CANONICAL_EYE_CENTER.right, rgb: [0, 255, 0] },
  leftEyeCenter: { at: CANONICAL_EYE_CENTER.left, rgb: [0, 0, 255] },
  chin: { at: CANONICAL_FACE.chin, rgb: [255, 255, 0] },
};

/** Options of a test head. */
export interface TestHeadOptions {
  /** Morph target names on the head and teeth meshes (default a few ARKit names). */
  readonly morphNames?: readonly string[];
  /** Name of the target that drops the chin marker 3 cm (default the first of morphNames containing "jaw" / "Open", else none). */
  readonly jawTarget?: string | null;
  /** Include the skull ellipsoid (it hides the eye markers from the front). Default true. */
  readonly skull?: boolean;
  /** Model units per cm (0.01: metres) and where the canonical origin sits, in cm. */
  readonly unitsPerCm?: number;
  readonly originCm?: CanonicalPoint;
  /** Write a profile JSON beside the file (default true). */
  readonly profile?: boolean | Record<string, unknown>;
  /** Post-processing: KHR_mesh_quantization, EXT_meshopt_compression. */
  readonly quantize?: boolean;
  readonly meshopt?: boolean;
  /** A small base-colour texture with KHR_texture_transform on the skull. */
  readonly texture?: boolean;
  /**
   * The skull unlit and untinted, its base colour a two-tone image (TWO_TONE: top half,
   * bottom half) stored as KTX2 (KHR_texture_basisu, required; ETC1S or UASTC) or as PNG.
   */
  readonly twoToneTexture?: 'ktx2-etc1s' | 'ktx2-uastc' | 'png';
  /** Skin the skull to a one-joint skeleton. */
  readonly skin?: boolean;
  /** File name (default test-head.glb). */
  readonly file?: string;
  /**
   * Make it a VRM 0.x avatar: authored facing -Z, a humanoid chain hips..head (head bone
   * placed so the VRM eye-level rule puts the canonical origin at `originCm`), a torso
   * marker below the neck (must be clipped), blend shape groups A (the morph "A" on the
   * chin marker) and Blink (turns the nose marker cyan).
   */
  readonly vrm0?: boolean;
}

function ellipsoid(center: CanonicalPoint, radii: CanonicalPoint, seg = 12, rings = 8): { pos: number[]; idx: number[] } {
  const pos: number[] = [];
  const idx: number[] = [];
  for (let r = 0; r <= rings; r++) {
    const v = (r / rings) * Math.PI;
    for (let s = 0; s <= seg; s++) {
      const u = (s / seg) * Math.PI * 2;
      pos.push(center[0] + radii[0] * Math.sin(v) * Math.cos(u), center[1] + radii[1] * Math.cos(v), center[2] + radii[2] * Math.sin(v) * Math.sin(u));
    }
  }
  for (let r = 0; r < rings; r++) {
    for (let s = 0; s < seg; s++) {
      const a = r * (seg + 1) + s;
      const b = a + seg + 1;
      idx.push(a, a + 1, b, b, a + 1, b + 1);
    }
  }
  return { pos, idx };
}

/** A 16x16 RGBA PNG of one colour (for texture tests). */
async function solidPng(rgb: [number, number, number]): Promise<Uint8Array> {
  return rgbaPng(16, 16, twoTone(16, rgb, rgb));
}

/** The colours (sRGB, 0-255) of the two-tone test texture: its top and bottom halves. */
export const TWO_TONE: { top: [number, number, number]; bottom: [number, number, number] } = { top: [200, 120, 60], bottom: [60, 140, 200] };

/** A size x size RGBA image, top half `top`, bottom half `bottom`, opaque; rows from the top. */
export function twoTone(size: number, top: [number, number, number], bottom: [number, number, number]): Uint8Array {
  const px = new Uint8Array(size * size * 4);
  for (let i = 0; i < size * size; i++) px.set([...(i < (size * size) / 2 ? top : bottom), 255], i * 4);
  return px;
}

let ktx2Encoder: Promise<import('ktx2-encoder').NodeBasisEncoder> | null = null;

/** RGBA pixels (rows from the top) as a Basis KTX2 file, sRGB, one mip level. */
export async function encodeKtx2(width: number, height: number, rgba: Uint8Array, encoding: 'etc1s' | 'uastc'): Promise<Uint8Array> {
  ktx2Encoder ??= (async () => {
    const { NodeBasisEncoder } = await import('ktx2-encoder');
    const enc = new NodeBasisEncoder();
    // The encoder's WebAssembly prints its progress through the console.log it finds when it starts.
    const log = console.log;
    console.log = () => {};
    try {
      await enc.init();
    } finally {
      console.log = log;
    }
    return enc;
  })();
  const enc = await ktx2Encoder;
  return enc.encode(new Uint8Array(0), { isUASTC: encoding === 'uastc', generateMipmap: false, isKTX2File: true, imageDecoder: async () => ({ data: rgba, width, height }) });
}

/** RGBA pixels (rows from the top) as a PNG. */
async function rgbaPng(w: number, h: number, rgba: Uint8Array): Promise<Uint8Array> {
  const { deflateSync, crc32 } = await import('node:zlib');
  const raw = Buffer.alloc((w * 4 + 1) * h);
  for (let y = 0; y < h; y++) raw.set(rgba.subarray(y * w * 4, (y + 1) * w * 4), y * (w * 4 + 1) + 1);
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE((crc32 as (d: Buffer) => number)(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * Builds a test head GLB (plus its profile JSON) in `dir` and returns its path. Geometry is
 * authored in canonical cm then mapped to model space with the anchor (default: metres,
 * canonical origin 1.6 m up, as on a body), so the profile must fit it back.
 */
export async function buildTestHead(dir: string, opts: TestHeadOptions = {}): Promise<string> {
  const k = opts.unitsPerCm ?? 0.01;
  const origin = opts.originCm ?? [0, 160, 5];
  const flip = opts.vrm0 ? -1 : 1;
  const toModel = (p: number[]) => p.map((v, i) => ((i % 3 === 1 ? v : v * flip) + origin[i % 3]) * k);
  const names = opts.morphNames ?? ['jawOpen', 'eyeBlinkLeft', 'eyeBlinkRight', 'mouthSmileLeft'];
  const jaw = opts.jawTarget === undefined ? (names.find((n) => /jaw|open/i.test(n)) ?? null) : opts.jawTarget;
  const doc = new Document();
  const buffer = doc.createBuffer();
  const scene = doc.createScene('head');
  const unlit = doc.createExtension(KHRMaterialsUnlit);
  const root = doc.createNode('headRoot');
  scene.addChild(root);
  const material = (name: string, rgb: [number, number, number], flat: boolean): Material => {
    const m = doc.createMaterial(name).setBaseColorFactor([...rgb.map((c) => (c / 255) ** 2.2), 1] as [number, number, number, number]);
    if (flat) m.setExtension('KHR_materials_unlit', unlit.createUnlit());
    return m;
  };
  const addMesh = (name: string, geo: { pos: number[]; idx: number[] }, mat: Material, targets: Map<string, number[]> | null): Mesh => {
    const prim = doc
      .createPrimitive()
      .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(new Float32Array(toModel(geo.pos))).setBuffer(buffer))
      .setIndices(doc.createAccessor().setType('SCALAR').setArray(new Uint16Array(geo.idx)).setBuffer(buffer))
      .setMaterial(mat);
    const mesh = doc.createMesh(name).addPrimitive(prim);
    if (targets && targets.size) {
      for (const [tname, delta] of targets) {
        prim.addTarget(doc.createPrimitiveTarget(tname).setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(new Float32Array(delta.map((v, i) => (i % 3 === 1 ? v : v * flip) * k))).setBuffer(buffer)));
      }
      mesh.setExtras({ targetNames: [...targets.keys()] });
      mesh.setWeights(new Array(targets.size).fill(0));
    }
    root.addChild(doc.createNode(name).setMesh(mesh));
    return mesh;
  };
  const zeroTargets = (n: number, dropChin = false, dropY: (y: number) => number = () => 0, ys: number[] = []) =>
    new Map(names.map((t) => [t, t === jaw && dropChin ? ys.flatMap((y) => [0, dropY(y), 0]) : new Array(n * 3).fill(0)]));
  if (opts.skull ?? true) {
    const g = ellipsoid([0, 2.5, -3], [8, 11, 9.5]);
    const ys = [];
    for (let i = 1; i < g.pos.length; i += 3) ys.push(g.pos[i]);
    const skullMat = material('skin', [230, 160, 120], false);
    const mesh = addMesh('skull', g, skullMat, zeroTargets(g.pos.length / 3, true, (y) => (y < -4 ? -2 : 0), ys));
    if (opts.texture) {
      const tex = doc.createTexture('skinTex').setImage(await solidPng([200, 120, 90])).setMimeType('image/png');
      skullMat.setBaseColorTexture(tex);
      const tt = doc.createExtension(KHRTextureTransform);
      skullMat.getBaseColorTextureInfo()!.setExtension('KHR_texture_transform', tt.createTransform().setScale([2, 2]));
      const uv: number[] = [];
      for (let i = 0; i < g.pos.length / 3; i++) uv.push((i % 13) / 12, Math.floor(i / 13) / 8);
      mesh.listPrimitives()[0].setAttribute('TEXCOORD_0', doc.createAccessor().setType('VEC2').setArray(new Float32Array(uv)).setBuffer(buffer));
    }
    if (opts.twoToneTexture) {
      const size = 32;
      const px = twoTone(size, TWO_TONE.top, TWO_TONE.bottom);
      const png = opts.twoToneTexture === 'png';
      const image = png ? await rgbaPng(size, size, px) : await encodeKtx2(size, size, px, opts.twoToneTexture === 'ktx2-uastc' ? 'uastc' : 'etc1s');
      if (!png) doc.createExtension(KHRTextureBasisu).setRequired(true);
      const tex = doc.createTexture('twoTone').setImage(image).setMimeType(png ? 'image/png' : 'image/ktx2');
      skullMat.setBaseColorFactor([1, 1, 1, 1]).setBaseColorTexture(tex).setExtension('KHR_materials_unlit', unlit.createUnlit());
      // Equirectangular: v = 0 at the top of the skull, as glTF's image rows run from the top.
      const uv: number[] = [];
      for (let i = 0; i < g.pos.length / 3; i++) uv.push((i % 13) / 12, Math.floor(i / 13) / 8);
      mesh.listPrimitives()[0].setAttribute('TEXCOORD_0', doc.createAccessor().setType('VEC2').setArray(new Float32Array(uv)).setBuffer(buffer));
    }
    if (opts.skin) {
      const joint = doc.createNode('headJoint').setTranslation(toModel([0, 0, 0]) as [number, number, number]);
      root.addChild(joint);
      const n = g.pos.length / 3;
      const prim = mesh.listPrimitives()[0];
      prim.setAttribute('JOINTS_0', doc.createAccessor().setType('VEC4').setArray(new Uint8Array(n * 4)).setBuffer(buffer));
      prim.setAttribute('WEIGHTS_0', doc.createAccessor().setType('VEC4').setArray(new Float32Array(n * 4).map((_, i) => (i % 4 === 0 ? 1 : 0))).setBuffer(buffer));
      const ibm = new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, ...toModel([0, 0, 0]).map((v) => -v), 1]);
      const skin = doc.createSkin('headSkin').addJoint(joint).setInverseBindMatrices(doc.createAccessor().setType('MAT4').setArray(ibm).setBuffer(buffer));
      root.listChildren().find((c) => c.getName() === 'skull')!.setSkin(skin);
    }
    // Teeth share the morph names (several meshes, one set of names).
    addMesh('teeth', ellipsoid([0, -4.3, 4.2], [2, 0.6, 1], 6, 4), material('teeth', [250, 250, 245], false), zeroTargets(35));
  }
  for (const [name, m] of Object.entries(MARKERS)) {
    const g = ellipsoid(m.at, [0.55, 0.55, 0.55], 8, 6);
    const n = g.pos.length / 3;
    const targets = name === 'chin' && jaw ? new Map([[jaw, new Array(n).fill(0).flatMap(() => [0, -3, 0])]]) : null;
    addMesh(`marker-${name}`, g, material(`marker-${name}`, m.rgb, true), targets);
  }
  const boneNodes: Record<string, number> = {};
  if (opts.vrm0) {
    // Humanoid chain; the head bone sits 6 cm below eye level, which is 2.63 cm above and
    // 3.5 cm in front of the canonical origin.
    const chain: [string, number[]][] = [['hips', [0, -70, 0]], ['spine', [0, -50, 0]], ['chest', [0, -35, 0]], ['neck', [0, -12, 0]], ['head', [0, 2.63 - 6, 3.5]]];
    for (const [name, at] of chain) root.addChild(doc.createNode(name).setTranslation(toModel(at) as [number, number, number]));
    addMesh('torso-marker', ellipsoid([0, -30, 4], [3, 3, 3], 8, 6), material('torso', [255, 0, 255], true), null);
  }
  if (opts.quantize) await doc.transform(quantize({ quantizePosition: 14 }));
  if (opts.meshopt) {
    await MeshoptEncoder.ready;
    await doc.transform(meshopt({ encoder: MeshoptEncoder, level: 'medium' }));
  }
  const file = join(dir, opts.file ?? 'test-head.glb');
  const io = new NodeIO().registerExtensions(ALL_EXTENSIONS).registerDependencies({ 'meshopt.encoder': MeshoptEncoder });
  let glb: Uint8Array = await io.writeBinary(doc);
  if (opts.vrm0) {
    glb = patchGlbJson(glb, (json) => {
      const nodes = json.nodes as { name?: string; mesh?: number }[];
      const meshes = json.meshes as { name?: string }[];
      const nodeOf = (n: string) => nodes.findIndex((x) => x.name === n);
      const meshOf = (n: string) => meshes.findIndex((x) => x.name === n);
      for (const b of ['hips', 'spine', 'chest', 'neck', 'head']) boneNodes[b] = nodeOf(b);
      json.extensionsUsed = [...((json.extensionsUsed as string[]) ?? []), 'VRM'];
      json.extensions = {
        ...((json.extensions as object) ?? {}),
        VRM: {
          exporterVersion: 'noggin-test',
          specVersion: '0.0',
          humanoid: { humanBones: Object.entries(boneNodes).map(([bone, node]) => ({ bone, node, useDefaultValues: true })) },
          firstPerson: { firstPersonBone: boneNodes.head, firstPersonBoneOffset: { x: 0, y: 0.06, z: 0 }, lookAtTypeName: 'BlendShape' },
          blendShapeMaster: {
            blendShapeGroups: [
              { name: 'A', presetName: 'a', binds: [{ mesh: meshOf('marker-chin'), index: 0, weight: 100 }], materialValues: [] },
              { name: 'Blink', presetName: 'blink', binds: [], materialValues: [{ materialName: 'marker-noseTip', propertyName: '_Color', targetValue: [0, 1, 1, 1] }], isBinary: false },
            ],
          },
          materialProperties: [],
        },
      };
    });
  }
  await writeFile(file, glb);
  if (opts.profile !== false) {
    const profile = {
      format: 'noggin-head',
      version: 1,
      name: 'test-head',
      displayName: 'Test head',
      kind: 'glb',
      file: file.split('/').pop(),
      anchor: { originCm: origin, unitsPerCm: k },
      bounds: { minCm: [-10, -14, -14], maxCm: [10, 15, 10] },
      colors: {},
      ...(typeof opts.profile === 'object' ? opts.profile : {}),
    };
    await writeFile(file.replace(/\.glb$/, '.json'), JSON.stringify(profile, null, 1));
  }
  return file;
}

/** Rewrites the JSON chunk of a GLB. */
export function patchGlbJson(glb: Uint8Array, fn: (json: Record<string, unknown>) => void): Uint8Array {
  const b = Buffer.from(glb);
  const jsonLen = b.readUInt32LE(12);
  const json = JSON.parse(b.subarray(20, 20 + jsonLen).toString('utf8')) as Record<string, unknown>;
  fn(json);
  let j = Buffer.from(JSON.stringify(json));
  if (j.length % 4) j = Buffer.concat([j, Buffer.alloc(4 - (j.length % 4), 0x20)]);
  const rest = b.subarray(20 + jsonLen);
  const head = Buffer.alloc(20);
  head.writeUInt32LE(0x46546c67, 0);
  head.writeUInt32LE(2, 4);
  head.writeUInt32LE(20 + j.length + rest.length, 8);
  head.writeUInt32LE(j.length, 12);
  head.writeUInt32LE(0x4e4f534a, 16);
  return Buffer.concat([head, j, rest]);
}

/** A temporary folder for one test file (removed when the test process exits). */
export async function tempDir(prefix = 'noggin-render-'): Promise<string> {
  return makeTempDir(prefix);
}

/** Blendshape scores with the given names set. */
export function scores(values: Partial<Record<MediaPipeBlendshape, number>> = {}): Float32Array {
  const s = new Float32Array(BLENDSHAPE_COUNT);
  for (const [n, v] of Object.entries(values)) s[BLENDSHAPE_INDEX[n as MediaPipeBlendshape]] = v!;
  return s;
}

/** A frontal face matrix at (x, y, z) cm, yawed by `yawDeg`. */
export function faceMatrix(x: number, y: number, z: number, yawDeg = 0): Float32Array {
  const a = (yawDeg * Math.PI) / 180;
  return Float32Array.from([Math.cos(a), 0, -Math.sin(a), 0, 0, 1, 0, 0, Math.sin(a), 0, Math.cos(a), 0, x, y, z, 1]);
}

/** A synthetic face frame (landmarks are not meaningful). */
export function frame(i: number, matrix: Float32Array | null, bs: Float32Array = scores(), fps = 25): TrackFrame {
  return { frame: i, timeMs: (i * 1000) / fps, face: matrix ? { matrix, blendshapes: bs, landmarks: new Float32Array(LANDMARK_FLOATS).fill(0.5) } : null };
}

/** Writes a synthetic track file. */
export async function writeTrack(path: string, frames: readonly TrackFrame[], width: number, height: number, fps = 25, opts: { trailer?: boolean } = {}): Promise<string> {
  const header = makeTrackHeader({ path: 'synthetic.mp4', width, height, fps, frameCount: frames.length, durationMs: (frames.length * 1000) / fps }, { mode: 'none' });
  const w = await TrackWriter.open(path, header, 'test');
  for (const f of frames) await w.writeFrame(f);
  if (opts.trailer === false) await w.finishIncomplete();
  else await w.finish();
  return path;
}

/**
 * The track of a shared clip (presenter-N), captured once and cached in test-artifacts
 * (capturing takes 30-60 s per clip on 2 cores).
 */
export async function trackFor(clip: string): Promise<string> {
  const out = join(ARTIFACTS, 'tracks', `${clip}.track.ndjson`);
  if (existsSync(out)) return out;
  await mkdir(join(ARTIFACTS, 'tracks'), { recursive: true });
  const { captureVideo } = await import('../capture/index.js');
  const { modelPath } = await import('../system/tools.js');
  await captureVideo({
    input: join(SHARED, 'videos', `${clip}.mp4`),
    output: out,
    smoothing: 'offline',
    fillGapFrames: 5,
    workers: 2,
    maxAnalysisSide: 1280,
    minDetectionConfidence: 0.5,
    modelPath: existsSync(modelPath()) ? modelPath() : join(SHARED, 'models', 'face_landmarker.task'),
  });
  return out;
}

/** A browser and page host for one test file, serving any number of heads. */
export class RenderRig {
  private constructor(
    readonly chromium: ChromiumHandle,
    private hosts: PageHost[],
  ) {}

  static async start(): Promise<RenderRig> {
    return new RenderRig(await launchChromium(), []);
  }

  /** Resolves a head and opens a renderer for it (a page host per head). */
  async open(headPath: string, opts: Omit<RendererOptions, 'head'>): Promise<{ head: HeadSource; renderer: RendererClient }> {
    const head = await resolveHead(headPath);
    const host = await startPageHost({ files: headHostFiles(head) });
    this.hosts.push(host);
    return { head, renderer: await RendererClient.open(this.chromium, host, { ...opts, head }) };
  }

  async close(): Promise<void> {
    for (const h of this.hosts) await h.close();
    await this.chromium.close();
  }
}

/** Centroid (frame px) of the pixels of a colour (within `tol` per channel, alpha > 128) in a crop. */
export function colourCentroid(c: { x: number; y: number; width: number; height: number; rgba: Uint8Array }, rgb: [number, number, number], tol = 40): { x: number; y: number; n: number } | null {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let y = 0; y < c.height; y++) {
    for (let x = 0; x < c.width; x++) {
      const i = (y * c.width + x) * 4;
      const d = c.rgba;
      if (d[i + 3] > 128 && Math.abs(d[i] - rgb[0]) <= tol && Math.abs(d[i + 1] - rgb[1]) <= tol && Math.abs(d[i + 2] - rgb[2]) <= tol) {
        sx += x + 0.5;
        sy += y + 0.5;
        n++;
      }
    }
  }
  return n ? { x: c.x + sx / n, y: c.y + sy / n, n } : null;
}

/** Async iterable over an array. */
export async function* iter<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const i of items) yield i;
}
