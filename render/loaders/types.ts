/**
 * Head loader plugins (render page side): one per file format or glTF extension, registered
 * by name in `./index.ts`. A format plugin (`fileExtensions` non-empty) loads a whole head;
 * an extension plugin teaches Babylon's glTF loader one more glTF extension (offline
 * decoders, VRM). Browser only (Babylon.js).
 */
import type { AssetContainer } from '@babylonjs/core/assetContainer.js';
import type { Scene } from '@babylonjs/core/scene.js';
import type { TransformNode } from '@babylonjs/core/Meshes/transformNode.js';
import type { Material } from '@babylonjs/core/Materials/material.js';
import type { RenderHeadSpec } from '../../core/page-contract.js';

/** A named expression a head offers besides raw morph targets (VRM expressions). */
export interface HeadExpressions {
  /** Expression names (presets and custom ones). */
  readonly names: readonly string[];
  /** Sets one expression's weight in [0,1]; applied on the next `update()`. */
  set(name: string, weight: number): void;
  /** Applies the weights set since the last call (binds, isBinary, overrides). */
  update(): void;
  /** Eye direction for bone-type lookAt, degrees (yaw + toward the subject's left, pitch + up). */
  setGaze?(yawDeg: number, pitchDeg: number): void;
  /** Time of the frame (material animations). */
  setTime?(ms: number): void;
  /** Materials replaced after loading (old -> new), e.g. by fast materials. */
  remapMaterials?(map: ReadonlyMap<Material, Material>): void;
  /** Materials whose colours or texture transforms change per frame (never frozen). */
  animatedMaterials?(): Material[];
}

/** Humanoid bones a head may have (VRM); posed by the renderer when present. */
export interface HeadBones {
  readonly head?: TransformNode;
  readonly neck?: TransformNode;
  readonly leftEye?: TransformNode;
  readonly rightEye?: TransformNode;
}

/** What a format plugin returns. */
export interface LoadedHead {
  readonly container: AssetContainer;
  /** Plugins (glTF extensions) that took part. */
  readonly plugins: readonly string[];
  readonly expressions?: HeadExpressions;
  readonly bones?: HeadBones;
  /**
   * Anchor from the file itself (VRM: metres, head bone height), used when the spec has
   * none. Same convention as RenderHeadSpec.anchor.
   */
  readonly anchor?: RenderHeadSpec['anchor'];
  /** True when the loader turned the model to face +z itself (VRM 0.x): a profile's yawDeg is then ignored. */
  readonly turned?: boolean;
  /** Model-space y (model units) below which the model is clipped (a body under the head). */
  readonly clipBelowModelY?: number;
}

/** Context handed to a format plugin's `load`. */
export interface LoaderContext {
  readonly scene: Scene;
  readonly spec: RenderHeadSpec;
  /** Appends a user-facing warning. */
  warn(message: string): void;
  /**
   * The scene replaces materials by gamma-space Blinn-Phong ones (fast materials): colour
   * textures must then stay as stored, not be decoded from sRGB on sampling.
   */
  readonly gammaMaterials?: boolean;
}

/** A head loader plugin. */
export interface HeadLoaderPlugin {
  /** Registry name. */
  readonly name: string;
  /** File extensions (lower case, no dot) this plugin loads as a whole head. */
  readonly fileExtensions: readonly string[];
  /** glTF extension names this plugin implements. */
  readonly gltfExtensions: readonly string[];
  /** Registers with Babylon; called once before the first load. */
  install?(): void;
  /** Loads a head (format plugins). */
  load?(ctx: LoaderContext): Promise<LoadedHead>;
}
