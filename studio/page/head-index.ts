/**
 * The mascots the Live tab offers: the server's index of shipped heads and VRMs
 * (`GET /api/studio/heads`, built by cli/commands/studio.ts), and GLB/VRM files the user
 * drops onto the page (loaded from a blob: URL, fitted without a profile).
 */
import type { RenderHeadSpec } from '../../core/page-contract.js';
import type { HeadChoice } from './live-engine.js';

/** URL of the head index. */
export const HEAD_INDEX_URL = '/api/studio/heads';

/** One entry of the head index (JSON). */
export interface HeadIndexEntry {
  readonly name: string;
  readonly displayName: string;
  readonly kind: string;
  readonly description?: string;
  readonly colors: Readonly<Record<string, string>>;
  readonly spec: RenderHeadSpec;
}

/** The head index (JSON). */
export interface HeadIndex {
  readonly heads: readonly HeadIndexEntry[];
  /** Limits applied to dropped files too. */
  readonly limits: { readonly maxTextureSide: number; readonly maxVertices: number; readonly maxFileBytes: number };
}

/** Fetches the head index; rejects with a plain message. */
export async function fetchHeadIndex(): Promise<HeadIndex> {
  let res: Response;
  try {
    res = await fetch(HEAD_INDEX_URL);
  } catch {
    throw new Error('The list of mascots could not be loaded (is `noggin serve` still running?).');
  }
  const body = (await res.json().catch(() => null)) as (HeadIndex & { error?: { message: string; fix: string } }) | null;
  if (!res.ok || !body?.heads) throw new Error(`The list of mascots could not be loaded${body?.error ? `: ${body.error.message}. ${body.error.fix}` : ''}.`);
  return body;
}

/** A dropped .glb/.vrm file as a head choice; throws a plain message for other files. */
export function headFromFile(file: File, limits: HeadIndex['limits']): HeadChoice {
  const m = /\.(glb|vrm|gltf)$/i.exec(file.name);
  if (!m) throw new Error(`${file.name} is not a .glb or .vrm file: drop a binary glTF (.glb) or VRM model.`);
  if (m[1].toLowerCase() === 'gltf') throw new Error(`${file.name} is a .gltf with separate files: drop it packed as one .glb (e.g. gltf-transform copy in.gltf out.glb).`);
  if (file.size > limits.maxFileBytes) throw new Error(`${file.name} is ${(file.size / 1e6).toFixed(0)} MB; the limit is ${(limits.maxFileBytes / 1e6).toFixed(0)} MB.`);
  const name = file.name.replace(/\.[^.]+$/, '');
  return {
    name: `file:${name}`,
    displayName: name,
    kind: m[1].toLowerCase(),
    colors: {},
    spec: {
      url: URL.createObjectURL(file),
      fileName: file.name,
      anchor: null,
      colors: {},
      retarget: {},
      maxTextureSide: limits.maxTextureSide,
      maxVertices: limits.maxVertices,
    },
  };
}

/** A shipped head as a head choice. */
export function headFromIndex(e: HeadIndexEntry): HeadChoice {
  return { name: e.name, displayName: e.displayName, kind: e.kind, colors: e.colors, spec: e.spec };
}
