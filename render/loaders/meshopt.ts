/**
 * EXT_meshopt_compression offline: Babylon's own extension loads the decoder script from a
 * CDN; this one decodes with the `meshoptimizer` package's decoder, bundled into the page
 * (its WebAssembly is inlined), synchronously on the page's thread.
 */
import { ArrayItem, GLTFLoader } from '@babylonjs/loaders/glTF/2.0/glTFLoader.js';
import { registerGLTFExtension, unregisterGLTFExtension } from '@babylonjs/loaders/glTF/2.0/glTFLoaderExtensionRegistry.js';
import type { IBufferView } from '@babylonjs/loaders/glTF/2.0/glTFLoaderInterfaces.js';
import type { IGLTFLoaderExtension } from '@babylonjs/loaders/glTF/2.0/glTFLoaderExtension.js';
import { MeshoptDecoder } from 'meshoptimizer';
import { GLTF_PLUGIN_EXTENSIONS } from './extensions.js';
import type { HeadLoaderPlugin } from './types.js';

const NAME = 'EXT_meshopt_compression';

interface MeshoptBufferView {
  buffer: number;
  byteOffset?: number;
  byteLength: number;
  byteStride: number;
  count: number;
  mode: 'ATTRIBUTES' | 'TRIANGLES' | 'INDICES';
  filter?: 'NONE' | 'OCTAHEDRAL' | 'QUATERNION' | 'EXPONENTIAL' | 'COLOR';
}

const MODES: Record<string, string> = { ATTRIBUTES: 'ATTRIBUTES', TRIANGLES: 'TRIANGLES', INDICES: 'INDICES' };

class MeshoptExtension implements IGLTFLoaderExtension {
  readonly name = NAME;
  enabled: boolean;
  private cache = new Map<IBufferView, Promise<ArrayBufferView>>();

  constructor(private loader: GLTFLoader) {
    this.enabled = loader.isExtensionUsed(NAME);
  }

  dispose(): void {
    this.cache.clear();
  }

  loadBufferViewAsync(context: string, bufferView: IBufferView): Promise<ArrayBufferView> | null {
    return GLTFLoader.LoadExtensionAsync<MeshoptBufferView, ArrayBufferView>(context, bufferView, this.name, (extContext, ext) => {
      const hit = this.cache.get(bufferView);
      if (hit) return hit;
      const buffer = ArrayItem.Get(`${extContext}/buffer`, this.loader.gltf.buffers, ext.buffer);
      const p = this.loader.loadBufferAsync(`/buffers/${buffer.index}`, buffer, ext.byteOffset ?? 0, ext.byteLength).then(async (src) => {
        await MeshoptDecoder.ready;
        const out = new Uint8Array(ext.count * ext.byteStride);
        const source = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
        MeshoptDecoder.decodeGltfBuffer(out, ext.count, ext.byteStride, source, MODES[ext.mode] ?? ext.mode, ext.filter);
        return out as ArrayBufferView;
      });
      this.cache.set(bufferView, p);
      return p;
    });
  }
}

export const meshoptPlugin: HeadLoaderPlugin = {
  name: 'meshopt',
  fileExtensions: [],
  gltfExtensions: GLTF_PLUGIN_EXTENSIONS.meshopt,
  install() {
    unregisterGLTFExtension(NAME);
    registerGLTFExtension(NAME, true, (loader) => new MeshoptExtension(loader));
  },
};
