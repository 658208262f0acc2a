/**
 * The glTF extensions each loader plugin loads, by plugin name. Babylon-free, so the
 * Node-side file check (render/head-check.ts) refuses what no plugin loads, from the same
 * table the plugins declare.
 */
export const GLTF_PLUGIN_EXTENSIONS = {
  gltf: [
    'KHR_materials_unlit',
    'KHR_texture_transform',
    'KHR_mesh_quantization',
    'KHR_materials_emissive_strength',
    'KHR_materials_pbrSpecularGlossiness',
    'KHR_materials_clearcoat',
    'KHR_materials_sheen',
    'KHR_materials_specular',
    'KHR_materials_ior',
    'KHR_node_visibility',
  ],
  meshopt: ['EXT_meshopt_compression'],
  ktx2: ['KHR_texture_basisu'],
  vrm: ['VRMC_vrm', 'VRM', 'VRMC_materials_mtoon', 'VRMC_springBone', 'VRMC_node_constraint', 'VRMC_materials_hdr_emissiveMultiplier'],
} as const satisfies Record<string, readonly string[]>;
