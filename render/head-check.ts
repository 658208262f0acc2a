/**
 * Checks a head file (GLB, VRM, glTF) in Node before any browser sees it: container layout,
 * JSON, buffer and accessor bounds, image sizes read from their headers, required
 * extensions, with limits on sizes, so a corrupt or absurd file fails with one line
 * instead of hanging or exhausting a page.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { NogginError } from '../core/errors.js';
import { GLTF_PLUGIN_EXTENSIONS } from './loaders/extensions.js';
import { isKtx2, readKtx2Header } from './loaders/ktx2-header.js';

/** Limits on a head file. */
export interface HeadLimits {
  /** Largest file (bytes). */
  readonly maxFileBytes: number;
  /** Largest glTF JSON (bytes). */
  readonly maxJsonBytes: number;
  /** Largest texture side (px). */
  readonly maxTextureSide: number;
  /** Largest vertex count over all meshes (sum of POSITION accessor counts). */
  readonly maxVertices: number;
}

export const DEFAULT_HEAD_LIMITS: HeadLimits = {
  maxFileBytes: 256 * 1024 * 1024,
  maxJsonBytes: 32 * 1024 * 1024,
  maxTextureSide: 4096,
  maxVertices: 2_000_000,
};

/** glTF extensions the render page can load: those its loader plugins declare. */
export const SUPPORTED_GLTF_EXTENSIONS: readonly string[] = Object.values(GLTF_PLUGIN_EXTENSIONS).flat();

/** What the check learnt about the file. */
export interface HeadFileInfo {
  readonly path: string;
  readonly format: 'glb' | 'gltf' | 'vrm';
  readonly bytes: number;
  readonly extensionsUsed: readonly string[];
  readonly extensionsRequired: readonly string[];
  /** Files a .gltf refers to (absolute paths), served beside it. */
  readonly externalFiles: readonly string[];
  readonly meshes: number;
  readonly vertices: number;
  /** Morph target names found in mesh extras (targetNames). */
  readonly morphTargetNames: readonly string[];
  /** VRM spec version: "1.0" (VRMC_vrm), "0.x" (VRM), or null. */
  readonly vrm: '1.0' | '0.x' | null;
}

interface GltfJson {
  asset?: { version?: string };
  buffers?: { byteLength?: number; uri?: string; extensions?: { EXT_meshopt_compression?: { fallback?: boolean } } }[];
  bufferViews?: { buffer?: number; byteOffset?: number; byteLength?: number }[];
  accessors?: { count?: number; bufferView?: number }[];
  images?: { uri?: string; bufferView?: number; mimeType?: string }[];
  meshes?: { primitives?: { attributes?: Record<string, number>; targets?: unknown[] }[]; extras?: { targetNames?: unknown } }[];
  extensionsUsed?: string[];
  extensionsRequired?: string[];
  extensions?: Record<string, unknown>;
}

const GLB_MAGIC = 0x46546c67;
const CHUNK_JSON = 0x4e4f534a;
const CHUNK_BIN = 0x004e4942;

function mb(n: number): string {
  return `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

/** Width and height from a PNG, JPEG, WebP or KTX2 header, or null when not recognised. */
export function imageSize(b: Uint8Array): { width: number; height: number } | null {
  if (isKtx2(b)) {
    // A broken KTX2 header is reported by the page's KHR_texture_basisu plugin, in one line.
    try {
      const h = readKtx2Header(b);
      return h && { width: h.width, height: h.height };
    } catch {
      return null;
    }
  }
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    return { width: v.getUint32(16), height: v.getUint32(20) };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return null;
      const m = b[i + 1];
      if (m === 0xff) {
        i++;
        continue;
      }
      const len = v.getUint16(i + 2);
      // SOF0..SOF15 except DHT (c4), JPG (c8), DAC (cc).
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
        return { height: v.getUint16(i + 5), width: v.getUint16(i + 7) };
      }
      i += 2 + len;
    }
    return null;
  }
  if (b.length >= 30 && String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP') {
    const kind = String.fromCharCode(...b.subarray(12, 16));
    if (kind === 'VP8 ') return { width: v.getUint16(26, true) & 0x3fff, height: v.getUint16(28, true) & 0x3fff };
    if (kind === 'VP8L') {
      const bits = v.getUint32(21, true);
      return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
    if (kind === 'VP8X') return { width: 1 + (b[24] | (b[25] << 8) | (b[26] << 16)), height: 1 + (b[27] | (b[28] << 8) | (b[29] << 16)) };
  }
  return null;
}

/**
 * Checks a head file; throws a NogginError naming the problem and the fix. Returns what it
 * found (extensions, morph target names, VRM version).
 */
export async function checkHeadFile(path: string, limits: HeadLimits = DEFAULT_HEAD_LIMITS): Promise<HeadFileInfo> {
  const ext = extname(path).toLowerCase();
  const format = ext === '.vrm' ? 'vrm' : ext === '.gltf' ? 'gltf' : ext === '.glb' ? 'glb' : null;
  const bad = (why: string, fix = 'export the head again as glTF 2.0 binary (.glb), or check it at https://github.khronos.org/glTF-Validator') =>
    new NogginError('head', `${path} is not a usable head (${why})`, fix);
  if (!format) throw new NogginError('head', `${path} is not a head file (expected .glb, .gltf or .vrm)`, 'give a glTF 2.0 (.glb/.gltf) or VRM (.vrm) file, or a head name from `noggin heads`');
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new Error('not a file');
    size = s.size;
  } catch {
    throw new NogginError('head', `${path} does not exist`, 'check the path, or pick a shipped head from `noggin heads`');
  }
  if (size === 0) throw bad('the file is empty');
  if (size > limits.maxFileBytes) throw bad(`${mb(size)}, more than the ${mb(limits.maxFileBytes)} allowed`, 'reduce the head (fewer vertices, smaller textures) with e.g. `npx @gltf-transform/cli optimize IN OUT`');

  let json: GltfJson;
  let bin: Uint8Array | null = null;
  if (format === 'gltf') {
    if (size > limits.maxJsonBytes) throw bad(`its JSON is ${mb(size)}, more than ${mb(limits.maxJsonBytes)}`);
    try {
      json = JSON.parse(await readFile(path, 'utf8')) as GltfJson;
    } catch (e) {
      throw bad(`its JSON does not parse: ${(e as Error).message.slice(0, 80)}`);
    }
  } else {
    const fh = await open(path, 'r');
    try {
      const head = Buffer.alloc(20);
      await fh.read(head, 0, 20, 0);
      if (size < 20 || head.readUInt32LE(0) !== GLB_MAGIC) throw bad('not a GLB container: the file does not start with "glTF"');
      const version = head.readUInt32LE(4);
      if (version !== 2) throw bad(`GLB version ${version}; only glTF 2.0 is supported`, 'convert it to glTF 2.0');
      const total = head.readUInt32LE(8);
      if (total > size) throw bad(`truncated: the header says ${total} bytes, the file has ${size}`, 'copy or download the file again');
      const jsonLen = head.readUInt32LE(12);
      if (head.readUInt32LE(16) !== CHUNK_JSON) throw bad('the first GLB chunk is not JSON');
      if (jsonLen > limits.maxJsonBytes) throw bad(`its JSON chunk is ${mb(jsonLen)}, more than ${mb(limits.maxJsonBytes)}`);
      if (20 + jsonLen > total) throw bad('truncated inside its JSON chunk', 'copy or download the file again');
      const jb = Buffer.alloc(jsonLen);
      await fh.read(jb, 0, jsonLen, 20);
      try {
        json = JSON.parse(jb.toString('utf8').replace(/[\s\0]+$/, '')) as GltfJson;
      } catch (e) {
        throw bad(`its JSON chunk does not parse: ${(e as Error).message.slice(0, 80)}`);
      }
      const binAt = 20 + jsonLen + (jsonLen % 4 ? 4 - (jsonLen % 4) : 0);
      if (binAt + 8 <= total) {
        const ch = Buffer.alloc(8);
        await fh.read(ch, 0, 8, binAt);
        const binLen = ch.readUInt32LE(0);
        if (ch.readUInt32LE(4) === CHUNK_BIN) {
          if (binAt + 8 + binLen > total) throw bad(`truncated: its binary chunk claims ${binLen} bytes`, 'copy or download the file again');
          bin = new Uint8Array(binLen);
          await fh.read(bin, 0, binLen, binAt + 8);
        }
      }
    } finally {
      await fh.close();
    }
  }
  if (!json || typeof json !== 'object') throw bad('its JSON is not an object');
  if (!json.asset || typeof json.asset.version !== 'string' || !json.asset.version.startsWith('2')) {
    throw bad(`asset.version is ${JSON.stringify(json.asset?.version)}, not 2.x`, 'convert it to glTF 2.0');
  }
  const required = json.extensionsRequired ?? [];
  for (const e of required) {
    if (!SUPPORTED_GLTF_EXTENSIONS.includes(e)) {
      throw bad(`it requires the glTF extension ${e}, which noggin cannot load`, `re-export it without ${e}${e === 'KHR_draco_mesh_compression' ? ' (use EXT_meshopt_compression instead: `npx @gltf-transform/cli meshopt IN OUT`)' : ''}`);
    }
  }

  // Buffers: sizes, presence of their bytes.
  const buffers = json.buffers ?? [];
  const external: string[] = [];
  const dir = dirname(resolve(path));
  for (const [i, b] of buffers.entries()) {
    const len = b.byteLength ?? -1;
    if (!Number.isInteger(len) || len < 0) throw bad(`buffer ${i} has no valid byteLength`);
    if (len > limits.maxFileBytes) throw bad(`buffer ${i} claims ${mb(len)}, more than the ${mb(limits.maxFileBytes)} allowed`);
    if (b.uri === undefined && b.extensions?.EXT_meshopt_compression?.fallback) {
      // A meshopt fallback buffer: never read (the compressed views are decoded instead).
    } else if (b.uri === undefined) {
      if (format === 'gltf') throw bad(`buffer ${i} has no uri`);
      if (i !== 0) throw bad(`buffer ${i} has no uri (only buffer 0 may live in the GLB)`);
      if (!bin || bin.length < len) throw bad(`buffer 0 claims ${len} bytes, the GLB holds ${bin?.length ?? 0}`, 'copy or download the file again');
    } else if (!b.uri.startsWith('data:')) {
      const f = resolveUri(dir, b.uri);
      if (!f) throw bad(`buffer ${i} refers to ${b.uri}, outside the head's folder`);
      try {
        const s = await stat(f);
        if (s.size < len) throw new Error('short');
      } catch {
        throw bad(`buffer ${i} refers to ${b.uri}, which is missing or shorter than ${len} bytes`, 'keep the .bin and texture files next to the .gltf, or export a .glb');
      }
      external.push(f);
    }
  }
  const views = json.bufferViews ?? [];
  for (const [i, v] of views.entries()) {
    const b = buffers[v.buffer ?? -1];
    if (!b) throw bad(`bufferView ${i} refers to a missing buffer`);
    const end = (v.byteOffset ?? 0) + (v.byteLength ?? 0);
    if (!(end <= (b.byteLength ?? 0))) throw bad(`bufferView ${i} runs past the end of buffer ${v.buffer}`);
  }
  // Vertices.
  let vertices = 0;
  const accessors = json.accessors ?? [];
  const names = new Set<string>();
  for (const m of json.meshes ?? []) {
    for (const p of m.primitives ?? []) {
      const pos = p.attributes?.POSITION;
      const a = pos === undefined ? undefined : accessors[pos];
      if (pos !== undefined && !a) throw bad(`a mesh refers to missing accessor ${pos}`);
      vertices += a?.count ?? 0;
    }
    const tn = m.extras?.targetNames;
    if (Array.isArray(tn)) for (const n of tn) if (typeof n === 'string') names.add(n);
  }
  if (vertices > limits.maxVertices) {
    throw bad(`${vertices} vertices, more than the ${limits.maxVertices} allowed`, 'decimate it (e.g. `npx @gltf-transform/cli simplify IN OUT`)');
  }
  // Images: sizes from their headers.
  for (const [i, im] of (json.images ?? []).entries()) {
    let head: Uint8Array | null = null;
    if (im.bufferView !== undefined) {
      const v = views[im.bufferView];
      if (!v) throw bad(`image ${i} refers to a missing bufferView`);
      if (v.buffer === 0 && bin) head = bin.subarray(v.byteOffset ?? 0, (v.byteOffset ?? 0) + Math.min(v.byteLength ?? 0, 65536));
    } else if (im.uri?.startsWith('data:')) {
      const comma = im.uri.indexOf(',');
      head = Buffer.from(im.uri.slice(comma + 1, comma + 1 + 87384), 'base64');
    } else if (im.uri) {
      const f = resolveUri(dir, im.uri);
      if (!f) throw bad(`image ${i} refers to ${im.uri}, outside the head's folder`);
      try {
        const fh = await open(f, 'r');
        head = Buffer.alloc(65536);
        const { bytesRead } = await fh.read(head, 0, 65536, 0);
        head = head.subarray(0, bytesRead);
        await fh.close();
      } catch {
        throw bad(`image ${i} refers to ${im.uri}, which is missing`, 'keep the texture files next to the .gltf, or export a .glb');
      }
      external.push(f);
    }
    const s = head ? imageSize(head) : null;
    if (s && (s.width > limits.maxTextureSide || s.height > limits.maxTextureSide)) {
      throw bad(`texture ${i} is ${s.width}x${s.height}, larger than ${limits.maxTextureSide} px per side`, `resize its textures (e.g. \`npx @gltf-transform/cli resize --width ${limits.maxTextureSide} --height ${limits.maxTextureSide} IN OUT\`)`);
    }
  }
  const used = json.extensionsUsed ?? [];
  const vrm = json.extensions?.VRMC_vrm ? '1.0' : json.extensions?.VRM ? '0.x' : null;
  if (format === 'vrm' && !vrm) throw bad('a .vrm without a VRMC_vrm or VRM extension', 'export it again as VRM, or rename it .glb');
  return {
    path,
    format,
    bytes: size,
    extensionsUsed: used,
    extensionsRequired: required,
    externalFiles: external,
    meshes: (json.meshes ?? []).length,
    vertices,
    morphTargetNames: [...names],
    vrm,
  };
}

function resolveUri(dir: string, uri: string): string | null {
  let rel: string;
  try {
    rel = decodeURIComponent(uri);
  } catch {
    return null;
  }
  const f = resolve(join(dir, rel));
  return f.startsWith(dir + '/') ? f : null;
}
