/**
 * glTF 2.0 heads (.glb, .gltf) through Babylon's glTF loader, with the extensions real
 * heads use (unlit, texture transform, mesh quantization, emissive strength, specular-
 * glossiness...). Morph targets keep their names from `mesh.extras.targetNames`. Several
 * meshes sharing one set of morph names (head, teeth, eyes) are all driven.
 */
import type { AssetContainer } from '@babylonjs/core/assetContainer.js';
import { LoadAssetContainerAsync } from '@babylonjs/core/Loading/sceneLoader.js';
import '@babylonjs/loaders/glTF/2.0/glTFLoader.js';
import '@babylonjs/loaders/glTF/2.0/Extensions/KHR_materials_unlit.js';
import '@babylonjs/loaders/glTF/2.0/Extensions/KHR_texture_transform.js';
import '@babylonjs/loaders/glTF/2.0/Extensions/KHR_mesh_quantization.js';
import '@babylonjs/loaders/glTF/2.0/Extensions/KHR_materials_emissive_strength.js';
import '@babylonjs/loaders/glTF/2.0/Extensions/KHR_materials_pbrSpecularGlossiness.js';
import '@babylonjs/loaders/glTF/2.0/Extensions/KHR_materials_clearcoat.js';
import '@babylonjs/loaders/glTF/2.0/Extensions/KHR_materials_sheen.js';
import '@babylonjs/loaders/glTF/2.0/Extensions/KHR_materials_specular.js';
import '@babylonjs/loaders/glTF/2.0/Extensions/KHR_materials_ior.js';
import '@babylonjs/loaders/glTF/2.0/Extensions/KHR_node_visibility.js';
import '@babylonjs/loaders/glTF/2.0/Extensions/ExtrasAsMetadata.js';
import { Bone } from '@babylonjs/core/Bones/bone.pure.js';
import { Skeleton } from '@babylonjs/core/Bones/skeleton.js';
import { GLTF_PLUGIN_EXTENSIONS } from './extensions.js';
import type { HeadLoaderPlugin, LoaderContext } from './types.js';

/**
 * Skinned heads: the bundler wraps Babylon's bone module lazily and the glTF loader would
 * otherwise find `Bone` undefined; referencing the classes here initialises them.
 */
export const SKINNING_CLASSES = [Bone, Skeleton] as const;

/** Loads a glTF/GLB (or a VRM, which is a GLB) into an asset container, not yet in the scene. */
export async function loadGltfContainer(ctx: LoaderContext, pluginExtension: '.glb' | '.gltf'): Promise<{ container: AssetContainer; extensionsUsed: string[] }> {
  let extensionsUsed: string[] = [];
  const container = await LoadAssetContainerAsync(ctx.spec.url, ctx.scene, {
    pluginExtension,
    pluginOptions: {
      gltf: {
        onParsed: (data: { json: unknown }) => {
          extensionsUsed = ((data.json as { extensionsUsed?: string[] }).extensionsUsed ?? []).slice();
        },
        // Heads never need the loader's own animation playback or lights.
        animationStartMode: 0,
        useSRGBBuffers: !ctx.gammaMaterials,
        compileMaterials: false,
        loadAllMaterials: false,
      },
    },
  });
  return { container, extensionsUsed };
}

export const gltfPlugin: HeadLoaderPlugin = {
  name: 'gltf',
  fileExtensions: ['glb', 'gltf'],
  gltfExtensions: GLTF_PLUGIN_EXTENSIONS.gltf,
  install() {
    if (typeof SKINNING_CLASSES[0] !== 'function') throw new Error('Babylon bones are not initialised');
  },
  async load(ctx) {
    const ext = ctx.spec.fileName.toLowerCase().endsWith('.gltf') ? '.gltf' : '.glb';
    const { container, extensionsUsed } = await loadGltfContainer(ctx, ext);
    return { container, plugins: extensionsUsed };
  },
};
