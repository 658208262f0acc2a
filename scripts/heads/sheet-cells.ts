/**
 * What a head's contact sheet shows: the camera pose of every cell, and the cells (a label
 * and the 52 MediaPipe scores that drive it). A glTF mascot gets neutral, then each of the
 * 51 ARKit shapes at 1.0. A VRM gets neutral, then each expression preset at 1.0 as its
 * file defines it: the preset's morph target binds (read from the VRM extension) become
 * the scores of the ARKit-named targets they bind.
 */
import { ARKIT_BLENDSHAPES, BLENDSHAPE_COUNT, BLENDSHAPE_INDEX, type MediaPipeBlendshape } from '../../core/blendshapes.js';
import { NogginError } from '../../core/errors.js';
import { readGlbJson } from '../../core/head-catalog.js';

/** One cell of a sheet. */
export interface SheetCell {
  /** Text under the cell: a shape or preset name. */
  label: string;
  /** 52 scores in MediaPipe order (index 0 `_neutral`), each in [0, 1]. */
  scores: Float32Array;
}

/** Camera set-up shared by every cell, so sheets compare across heads. */
export interface SheetView {
  /** Cell size, px. */
  width: number;
  height: number;
  /** Vertical field of view, degrees (narrow: a portrait lens, little perspective distortion). */
  verticalFovDeg: number;
  /** Head turn, degrees about +y (positive turns the face toward the viewer's right). */
  yawDeg: number;
  /** Canonical point (cm) put on the optical axis, and its distance from the camera (cm). */
  centerCm: readonly [number, number, number];
  distanceCm: number;
}

/** Cells of 232 x 256 px showing canonical y from about -12 to +24 cm, turned 20 degrees. */
export const SHEET_VIEW: SheetView = {
  width: 232,
  height: 256,
  verticalFovDeg: 30,
  yawDeg: 20,
  centerCm: [0, 6, -3],
  distanceCm: 67,
};

/** Named views: `head` (the committed sheets) and `face` (eyes to chin, for close review). */
export const SHEET_VIEWS: Readonly<Record<string, SheetView>> = {
  head: SHEET_VIEW,
  face: { ...SHEET_VIEW, centerCm: [0, -1, 8], distanceCm: 42 },
};

/**
 * The face matrix of a sheet cell: canonical cm -> camera cm, column-major, camera looking
 * down -Z: the head turned by `yawDeg`, with `centerCm` on the optical axis.
 */
export function sheetMatrix(v: SheetView = SHEET_VIEW): Float32Array {
  const a = (v.yawDeg * Math.PI) / 180;
  const c = Math.cos(a);
  const s = Math.sin(a);
  const [px, py, pz] = v.centerCm;
  // t = (0, 0, -D) - R * center, R = rotation about +y by a.
  const tx = -(c * px + s * pz);
  const ty = -py;
  const tz = -v.distanceCm - (-s * px + c * pz);
  return Float32Array.from([c, 0, -s, 0, 0, 1, 0, 0, s, 0, c, 0, tx, ty, tz, 1]);
}

function scoresOf(weights: Partial<Record<string, number>>): Float32Array {
  const s = new Float32Array(BLENDSHAPE_COUNT);
  for (const [name, w] of Object.entries(weights)) {
    const i = BLENDSHAPE_INDEX[name as MediaPipeBlendshape];
    if (i === undefined || i === 0) continue;
    s[i] = Math.min(1, Math.max(0, (s[i] ?? 0) + (w ?? 0)));
  }
  return s;
}

/**
 * Neutral, then every ARKit shape at 1.0 (MediaPipe order). mouthClose is shown with
 * jawOpen at 1.0 too: ARKit defines it as closing the lips while the jaw is open, and alone
 * it pushes the lower lip through the upper one.
 */
export function arkitCells(): SheetCell[] {
  const cell = (name: string): SheetCell =>
    name === 'mouthClose' ? { label: 'mouthClose + jawOpen', scores: scoresOf({ mouthClose: 1, jawOpen: 1 }) } : { label: name, scores: scoresOf({ [name]: 1 }) };
  return [{ label: 'neutral', scores: scoresOf({}) }, ...ARKIT_BLENDSHAPES.map(cell)];
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

/**
 * Neutral, then every expression preset of a VRM file (1.0: VRMC_vrm presets; 0.x: blend
 * shape groups, custom groups included) at 1.0, as the scores of the ARKit-named morph
 * targets its binds set. Throws when the file binds a target that has no ARKit name.
 */
export function vrmPresetCells(file: string): SheetCell[] {
  const json = readGlbJson(file) as Json;
  const cells: SheetCell[] = [{ label: 'neutral', scores: scoresOf({}) }];
  const targetName = (mesh: number, index: number): string => {
    const m = json.meshes?.[mesh];
    const names: string[] = m?.extras?.targetNames ?? m?.primitives?.[0]?.extras?.targetNames ?? [];
    const name = names[index];
    if (!name || !(ARKIT_BLENDSHAPES as readonly string[]).includes(name)) {
      throw new NogginError('sheets', `${file}: an expression binds morph target ${index} of mesh ${mesh}, which has no ARKit name`, 'rebuild the VRM with `npm run build:heads`');
    }
    return name;
  };
  const vrm1 = json.extensions?.VRMC_vrm;
  const vrm0 = json.extensions?.VRM;
  if (vrm1) {
    for (const [name, e] of Object.entries<Json>(vrm1.expressions?.preset ?? {})) {
      if (name === 'neutral') continue;
      const w: Record<string, number> = {};
      for (const b of e.morphTargetBinds ?? []) {
        const t = targetName(json.nodes[b.node].mesh, b.index);
        w[t] = (w[t] ?? 0) + b.weight;
      }
      cells.push({ label: name, scores: scoresOf(w) });
    }
  } else if (vrm0) {
    for (const g of vrm0.blendShapeMaster?.blendShapeGroups ?? []) {
      if (g.presetName === 'neutral') continue;
      const w: Record<string, number> = {};
      for (const b of g.binds ?? []) {
        const t = targetName(b.mesh, b.index);
        w[t] = (w[t] ?? 0) + b.weight / 100;
      }
      cells.push({ label: g.presetName === 'unknown' ? g.name : g.presetName, scores: scoresOf(w) });
    }
  } else {
    throw new NogginError('sheets', `${file} has no VRMC_vrm or VRM extension`, 'pass a VRM 1.0 or 0.x file');
  }
  return cells;
}
