/**
 * KHR_texture_basisu offline: Babylon's own extension hands KTX2 images to its KTX2 decoder,
 * which it fetches from a CDN (and which is not on the npm registry). This one transcodes
 * them to RGBA8 with the Basis transcoder of the `three` package, which `npm run build`
 * copies to dist/pages/basis/ beside the page bundles, so every host that serves /pages
 * serves it too; it is fetched once, on the first KTX2 texture.
 */
import '@babylonjs/core/Engines/Extensions/engine.rawTexture.js';
import { Constants } from '@babylonjs/core/Engines/constants.js';
import type { BaseTexture } from '@babylonjs/core/Materials/Textures/baseTexture.js';
import { RawTexture } from '@babylonjs/core/Materials/Textures/rawTexture.js';
import { Texture } from '@babylonjs/core/Materials/Textures/texture.js';
import type { Nullable } from '@babylonjs/core/types.js';
import { ArrayItem, GLTFLoader } from '@babylonjs/loaders/glTF/2.0/glTFLoader.js';
import type { IGLTFLoaderExtension } from '@babylonjs/loaders/glTF/2.0/glTFLoaderExtension.js';
import { registerGLTFExtension, unregisterGLTFExtension } from '@babylonjs/loaders/glTF/2.0/glTFLoaderExtensionRegistry.js';
import type { IImage, ISampler, ITexture } from '@babylonjs/loaders/glTF/2.0/glTFLoaderInterfaces.js';
import { GLTF_PLUGIN_EXTENSIONS } from './extensions.js';
import { checkKtx2Header, instantiateBasis, transcodeKtx2ToRgba, type BasisModule, type TranscodedKtx2 } from './ktx2-transcode.js';
import type { HeadLoaderPlugin } from './types.js';

const NAME = 'KHR_texture_basisu';

/** Where the transcoder comes from, and the texture size limit applied from the KTX2 header. */
export const Ktx2Configuration: {
  /** URL of basis_transcoder.js; default: basis/ beside this page bundle. */
  transcoderUrl: string | null;
  /** URL of basis_transcoder.wasm; default: beside transcoderUrl. */
  wasmUrl: string | null;
  /** Largest texture side (px), checked before transcoding (the scene checks its own limit after loading). */
  maxTextureSide: number;
  /** Time allowed to fetch the transcoder (ms). */
  fetchTimeoutMs: number;
} = { transcoderUrl: null, wasmUrl: null, maxTextureSide: 4096, fetchTimeoutMs: 30000 };

/** How a re-encode is suggested in errors. */
const FIX = 're-encode the texture (e.g. `npx @gltf-transform/cli uastc IN OUT`) or use PNG/JPEG';

let transcoder: Promise<BasisModule> | null = null;

function transcoderUrls(): { js: string; wasm: string } {
  const js = Ktx2Configuration.transcoderUrl ?? new URL('basis/basis_transcoder.js', import.meta.url).href;
  return { js, wasm: Ktx2Configuration.wasmUrl ?? new URL('basis_transcoder.wasm', js).href };
}

async function fetchOk(url: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(Ktx2Configuration.fetchTimeoutMs) });
  } catch (e) {
    throw new Error(`the Basis transcoder ${url} cannot be fetched (${(e as Error).message})`);
  }
  if (!res.ok) throw new Error(`the Basis transcoder ${url} is missing (HTTP ${res.status}; run \`npm run build\`)`);
  return res;
}

/** The transcoder, fetched and instantiated once per page (a failure is retried next time). */
function basisTranscoder(): Promise<BasisModule> {
  if (!transcoder) {
    const { js, wasm } = transcoderUrls();
    const p = Promise.all([fetchOk(js).then((r) => r.text()), fetchOk(wasm).then((r) => r.arrayBuffer())]).then(([text, bin]) => instantiateBasis(text, bin));
    p.catch(() => {
      if (transcoder === p) transcoder = null;
    });
    transcoder = p;
  }
  return transcoder;
}

const MIN_FILTERS = [9728, 9729, 9984, 9985, 9986, 9987];
const LINEAR_MAG_MODES = [Texture.LINEAR_NEAREST, Texture.LINEAR_LINEAR, Texture.LINEAR_NEAREST_MIPNEAREST, Texture.LINEAR_LINEAR_MIPNEAREST, Texture.LINEAR_NEAREST_MIPLINEAR, Texture.LINEAR_LINEAR_MIPLINEAR];
const NEAREST_MAG_MODES = [Texture.NEAREST_NEAREST, Texture.NEAREST_LINEAR, Texture.NEAREST_NEAREST_MIPNEAREST, Texture.NEAREST_LINEAR_MIPNEAREST, Texture.NEAREST_NEAREST_MIPLINEAR, Texture.NEAREST_LINEAR_MIPLINEAR];
const WRAP_MODES: Record<number, number> = { 33071: Texture.CLAMP_ADDRESSMODE, 33648: Texture.MIRROR_ADDRESSMODE, 10497: Texture.WRAP_ADDRESSMODE };

/** A glTF sampler as Babylon texture settings (the same mapping as Babylon's glTF loader). */
function samplerSettings(s: ISampler): { mipmaps: boolean; samplingMode: number; wrapU: number; wrapV: number } {
  const found = MIN_FILTERS.indexOf(s.minFilter ?? 9987);
  const i = found < 0 ? 5 : found;
  return {
    mipmaps: i >= 2,
    samplingMode: (s.magFilter === 9728 ? NEAREST_MAG_MODES : LINEAR_MAG_MODES)[i],
    wrapU: WRAP_MODES[s.wrapS ?? 10497] ?? Texture.WRAP_ADDRESSMODE,
    wrapV: WRAP_MODES[s.wrapT ?? 10497] ?? Texture.WRAP_ADDRESSMODE,
  };
}

class Ktx2Extension implements IGLTFLoaderExtension {
  readonly name = NAME;
  enabled: boolean;
  /** Transcoded pixels per image index: materials sharing an atlas transcode it once. */
  private pixels = new Map<number, Promise<TranscodedKtx2>>();

  constructor(private loader: GLTFLoader) {
    this.enabled = loader.isExtensionUsed(NAME);
  }

  dispose(): void {
    this.pixels.clear();
  }

  private transcode(image: IImage): Promise<TranscodedKtx2> {
    let p = this.pixels.get(image.index);
    if (!p) {
      p = this.loader.loadImageAsync(`/images/${image.index}`, image).then(async (view) => {
        const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
        try {
          // The header first: a texture over the limit never costs a transcoder fetch or a decode.
          checkKtx2Header(bytes, Ktx2Configuration.maxTextureSide);
          return transcodeKtx2ToRgba(await basisTranscoder(), bytes, Ktx2Configuration.maxTextureSide);
        } catch (e) {
          const what = `${NAME} image ${image.index}${image.name ? ` "${image.name}"` : ''}`;
          throw new Error(`${what}: ${(e as Error).message.split('\n')[0]}; ${FIX}`);
        }
      });
      this.pixels.set(image.index, p);
    }
    return p;
  }

  _loadTextureAsync(context: string, texture: ITexture, assign: (babylonTexture: BaseTexture) => void): Nullable<Promise<BaseTexture>> {
    return GLTFLoader.LoadExtensionAsync<{ source: number }, BaseTexture>(context, texture, NAME, async (extContext, ext) => {
      const gltf = this.loader.gltf;
      const sampler = texture.sampler === undefined ? GLTFLoader.DefaultSampler : ArrayItem.Get(`${context}/sampler`, gltf.samplers, texture.sampler);
      const image = ArrayItem.Get(`${extContext}/source`, gltf.images, ext.source);
      const pixels = await this.transcode(image);
      const s = samplerSettings(sampler);
      const scene = this.loader.babylonScene;
      const container = this.loader._assetContainer;
      // Base colour and emissive maps are sRGB, data maps (normal, metallic-roughness, occlusion) linear: as the loader does for PNG/JPEG.
      const srgb = !texture._textureInfo?.nonColorData && this.loader.parent.useSRGBBuffers;
      scene._blockEntityCollection = !!container;
      let tex: RawTexture;
      try {
        tex = new RawTexture(pixels.rgba, pixels.width, pixels.height, Constants.TEXTUREFORMAT_RGBA, scene, s.mipmaps, false, s.samplingMode, Constants.TEXTURETYPE_UNSIGNED_BYTE, undefined, srgb);
      } finally {
        scene._blockEntityCollection = false;
      }
      tex._parentContainer = container;
      tex.wrapU = s.wrapU;
      tex.wrapV = s.wrapV;
      tex.name = image.name || `image${image.index}`;
      assign(tex);
      return tex;
    });
  }
}

export const ktx2Plugin: HeadLoaderPlugin = {
  name: 'ktx2',
  fileExtensions: [],
  gltfExtensions: GLTF_PLUGIN_EXTENSIONS.ktx2,
  install() {
    unregisterGLTFExtension(NAME);
    registerGLTFExtension(NAME, true, (loader) => new Ktx2Extension(loader));
  },
};
