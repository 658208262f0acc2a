/**
 * KTX2 (Basis Universal ETC1S or UASTC) to RGBA8 pixels with the Binomial Basis transcoder
 * that ships in the `three` package (examples/jsm/libs/basis/basis_transcoder.js + .wasm).
 * DOM-free and Babylon-free: the page's KHR_texture_basisu plugin and Node tests run the
 * same code, given the transcoder's script text and WebAssembly bytes.
 */
import { readKtx2Header, type Ktx2Header } from './ktx2-header.js';

/** The transcoder's output format id for RGBA, 8 bits per channel (basisu transcoder_texture_format). */
export const BASIS_FORMAT_RGBA32 = 13;

/** One image of a KTX2 file, as the transcoder exposes it (embind class). */
interface BasisKtx2File {
  isValid(): boolean;
  isUASTC(): boolean;
  isETC1S(): boolean;
  isHDR?(): boolean;
  getHasAlpha(): boolean;
  getImageLevelInfo(level: number, layer: number, face: number): { origWidth: number; origHeight: number };
  startTranscoding(): boolean | number;
  getImageTranscodedSizeInBytes(level: number, layer: number, face: number, format: number): number;
  transcodeImage(dst: Uint8Array, level: number, layer: number, face: number, format: number, getAlphaForOpaque: number, channel0: number, channel1: number): boolean | number;
  close(): void;
  delete(): void;
}

/** The part of the transcoder module used here. */
export interface BasisModule {
  initializeBasis(): void;
  KTX2File: new (data: Uint8Array) => BasisKtx2File;
}

/** A transcoded KTX2 image: level 0, rows from the top (glTF's orientation), RGBA8. */
export interface TranscodedKtx2 {
  /** Width (px). */
  readonly width: number;
  /** Height (px). */
  readonly height: number;
  /** width * height * 4 bytes, R G B A per pixel, first row = top of the image; not premultiplied. */
  readonly rgba: Uint8Array;
  /** The Basis encoding of the payload. */
  readonly encoding: 'etc1s' | 'uastc';
  /** Whether the file has an alpha channel. */
  readonly hasAlpha: boolean;
  /** The file's header (mip levels, supercompression...). */
  readonly header: Ktx2Header;
}

/**
 * Instantiates the transcoder from its script text (an Emscripten factory defining `BASIS`)
 * and its WebAssembly bytes. The script runs with `process`/`require` hidden, so it takes
 * the plain (non-Node) path in Node too and never fetches anything itself.
 */
export async function instantiateBasis(scriptText: string, wasm: ArrayBuffer | Uint8Array): Promise<BasisModule> {
  let factory: unknown;
  try {
    factory = new Function('process', 'require', '__filename', `${scriptText}\n;return typeof BASIS === 'function' ? BASIS : undefined;`)(undefined, undefined, undefined);
  } catch (e) {
    throw new Error(`the Basis transcoder script does not run (${(e as Error).message})`);
  }
  if (typeof factory !== 'function') throw new Error('the Basis transcoder script does not define BASIS');
  const module = (await (factory as (arg: { wasmBinary: ArrayBuffer | Uint8Array }) => Promise<BasisModule>)({ wasmBinary: wasm })) as BasisModule;
  module.initializeBasis();
  if (typeof module.KTX2File !== 'function') throw new Error('the Basis transcoder was built without KTX2 support');
  return module;
}

/**
 * Checks a KTX2 file's header for KHR_texture_basisu: the identifier, the level index inside
 * the file, a Basis Universal payload (VK_FORMAT_UNDEFINED), a 2D image, each side within
 * `maxTextureSide` (px). Throws an Error with a one-line message; needs no transcoder.
 */
export function checkKtx2Header(bytes: Uint8Array, maxTextureSide: number): Ktx2Header {
  const header = readKtx2Header(bytes, bytes.length);
  if (!header) throw new Error('not a KTX2 file (its first bytes are not the KTX2 identifier)');
  if (header.vkFormat !== 0) throw new Error(`a KTX2 file with Vulkan format ${header.vkFormat}, not Basis Universal (KHR_texture_basisu needs ETC1S or UASTC)`);
  if (header.width > maxTextureSide || header.height > maxTextureSide) {
    throw new Error(`${header.width}x${header.height}, larger than ${maxTextureSide} px per side`);
  }
  if (header.height === 0 || header.depth > 1 || header.layers > 1 || header.faces !== 1) {
    throw new Error('not a 2D texture (1D, 3D, array or cube-map KTX2 files are not used by glTF)');
  }
  return header;
}

/**
 * Transcodes level 0 of a 2D KTX2 file (Basis ETC1S or UASTC) to RGBA8, after
 * `checkKtx2Header`. Throws an Error with a one-line message on any problem.
 */
export function transcodeKtx2ToRgba(basis: BasisModule, bytes: Uint8Array, maxTextureSide: number): TranscodedKtx2 {
  const header = checkKtx2Header(bytes, maxTextureSide);
  const file = new basis.KTX2File(bytes);
  try {
    if (!file.isValid()) throw new Error('the transcoder rejects the KTX2 file (invalid or unsupported)');
    if (file.isHDR?.()) throw new Error('an HDR (UASTC HDR) KTX2 file; only ETC1S and UASTC LDR are supported');
    const encoding = file.isUASTC() ? 'uastc' : file.isETC1S() ? 'etc1s' : null;
    if (!encoding) throw new Error('a KTX2 file in neither ETC1S nor UASTC');
    if (!file.startTranscoding()) throw new Error('the transcoder cannot start on the KTX2 file (corrupt global data)');
    const info = file.getImageLevelInfo(0, 0, 0);
    const width = info.origWidth;
    const height = info.origHeight;
    const size = file.getImageTranscodedSizeInBytes(0, 0, 0, BASIS_FORMAT_RGBA32);
    if (!width || !height || size !== width * height * 4) throw new Error(`the transcoder gives an image of ${width}x${height} in ${size} bytes`);
    const rgba = new Uint8Array(size);
    if (!file.transcodeImage(rgba, 0, 0, 0, BASIS_FORMAT_RGBA32, 0, -1, -1)) throw new Error(`the ${encoding.toUpperCase()} payload does not transcode (corrupt image data)`);
    return { width, height, rgba, encoding, hasAlpha: !!file.getHasAlpha(), header };
  } finally {
    file.close();
    file.delete();
  }
}
