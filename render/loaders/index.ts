/**
 * The head loader registry: plugins by name, the plugin for a file name, and installing
 * every plugin into Babylon once. Browser only.
 */
import { gltfPlugin } from './gltf.js';
import { meshoptPlugin } from './meshopt.js';
import { ktx2Plugin } from './ktx2.js';
import { vrmPlugin } from './vrm.js';
import type { HeadLoaderPlugin } from './types.js';

export type { HeadLoaderPlugin, LoadedHead, LoaderContext, HeadExpressions, HeadBones } from './types.js';

const registry = new Map<string, HeadLoaderPlugin>();
let installed = false;

/** Registers a plugin (a later one with the same name replaces it). */
export function registerHeadLoader(p: HeadLoaderPlugin): void {
  registry.set(p.name, p);
  if (installed) p.install?.();
}

/** A plugin by name. */
export function getHeadLoader(name: string): HeadLoaderPlugin | undefined {
  return registry.get(name);
}

/** Every registered plugin. */
export function listHeadLoaders(): HeadLoaderPlugin[] {
  return [...registry.values()];
}

/** The format plugin for a file name, by extension; undefined when none loads it. */
export function headLoaderFor(fileName: string): HeadLoaderPlugin | undefined {
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  if (!ext) return undefined;
  return [...registry.values()].find((p) => p.fileExtensions.includes(ext) && p.load);
}

/** Installs every plugin into Babylon (once). */
export function installHeadLoaders(): void {
  if (installed) return;
  installed = true;
  for (const p of registry.values()) p.install?.();
}

registerHeadLoader(gltfPlugin);
registerHeadLoader(meshoptPlugin);
registerHeadLoader(ktx2Plugin);
registerHeadLoader(vrmPlugin);
