/**
 * A face as flat channel groups for filtering: pose (quaternion x,y,z,w; translation cm;
 * scale), blendshapes and landmarks. Pose is filtered as a rotation (sign-continuous unit
 * quaternion, renormalised after), never by averaging matrix entries.
 */
import { composeMatrix, decomposeMatrix, alignQuat } from '../../core/pose.js';
import type { FaceData } from '../../core/track.js';

/** Channel group names, each filtered with its own noise settings. */
export type ChannelGroup = 'rotation' | 'translation' | 'scale' | 'blendshapes' | 'landmarks';

/** A face split into channel groups (fresh arrays; the face is not modified). */
export type FaceChannels = Record<ChannelGroup, Float64Array>;

/** Channel groups of a face; the quaternion is put in the hemisphere of `prevQuat` when given. */
export function faceToChannels(face: FaceData, prevQuat?: ArrayLike<number>): FaceChannels {
  const p = decomposeMatrix(face.matrix);
  const q = prevQuat ? alignQuat(p.q, prevQuat) : [...p.q];
  return {
    rotation: Float64Array.from(q),
    translation: Float64Array.from(p.t),
    scale: Float64Array.of(p.s),
    blendshapes: Float64Array.from(face.blendshapes),
    landmarks: Float64Array.from(face.landmarks),
  };
}

/** Builds a face back from (filtered) channels: quaternion renormalised, blendshapes clamped to [0,1]. */
export function channelsToFace(c: FaceChannels): FaceData {
  const n = Math.hypot(c.rotation[0], c.rotation[1], c.rotation[2], c.rotation[3]) || 1;
  const q: [number, number, number, number] = [c.rotation[0] / n, c.rotation[1] / n, c.rotation[2] / n, c.rotation[3] / n];
  return {
    landmarks: Float32Array.from(c.landmarks),
    blendshapes: Float32Array.from(c.blendshapes, (v) => Math.min(1, Math.max(0, v))),
    matrix: composeMatrix({ q, t: [c.translation[0], c.translation[1], c.translation[2]], s: c.scale[0] }),
  };
}

/** The groups in a fixed order. */
export const CHANNEL_GROUPS: readonly ChannelGroup[] = ['rotation', 'translation', 'scale', 'blendshapes', 'landmarks'];
