/**
 * Morph fields for the eye region: blinks, squints and wide eyes squash or lift the eye
 * (white, iris, lid and lash move together, so the lid never cuts into the eyeball), the
 * eyeLook shapes turn the iris, pupil and catch-light over the eyeball, and the brows move.
 */
import { type Part, tag } from './mesh.js';
import type { FaceRig } from './rig.js';
import type { EyeRig } from './eyes.js';
import { type V3, add, sub, rotY, rotX, deg } from './vec.js';

const ZERO: V3 = [0, 0, 0];

/** Horizontal look angle and vertical look angle at full weight. */
const LOOK_H = deg(30);
const LOOK_V = deg(24);

function eyeOf(rig: FaceRig, side: number): EyeRig {
  return side > 0 ? rig.eyes.left : rig.eyes.right;
}

/** Turns an iris-layer vertex by (yaw, pitch) in the eye's local, unit-sphere space. */
function lookDelta(e: EyeRig, p: V3, yaw: number, pitch: number): V3 {
  const local = rotY(sub(p, e.center), -e.yaw);
  const u: V3 = [local[0] / e.radii[0], local[1] / e.radii[1], local[2] / e.radii[2]];
  // pitch > 0 looks up: rotate +z toward +y (rotation about x by -pitch).
  const r = rotY(rotX(u, -pitch), yaw);
  const back = add(e.center, rotY([r[0] * e.radii[0], r[1] * e.radii[1], r[2] * e.radii[2]], e.yaw));
  return sub(back, p);
}

/** Vertical squash toward line y0 keeping (1 - amount) of the height. */
function squash(y: number, y0: number, amount: number): V3 {
  return [0, (y0 - y) * amount, 0];
}

export type Field = (rig: FaceRig, part: Part, i: number, p: V3) => V3;

function eyeSide(part: Part, i: number): number {
  return tag(part, 'side', i);
}

/** Vertex y used for squashes: lash tubes move by their centre line so they stay round. */
function refY(part: Part, i: number, p: V3): number {
  return part.kind === 'lash' ? tag(part, 'cy', i) : p[1];
}

const isEyeKind = (part: Part): boolean => part.kind === 'eye' || part.kind === 'lid' || part.kind === 'lash';

function blink(side: number): Field {
  return (rig, part, i, p) => {
    if (!isEyeKind(part) || eyeSide(part, i) !== side) return ZERO;
    const e = eyeOf(rig, side);
    return squash(refY(part, i, p), e.closeY, 0.96);
  };
}

export function squint(side: number): Field {
  return (rig, part, i, p) => {
    if (!isEyeKind(part) || eyeSide(part, i) !== side) return ZERO;
    const e = eyeOf(rig, side);
    // The lower part rises toward the lid; the lid comes down a little.
    const y = refY(part, i, p);
    const d = squash(y, e.topY, 0.3);
    if (part.kind !== 'eye') d[1] -= e.radii[1] * 0.12;
    return d;
  };
}

function wide(side: number): Field {
  return (rig, part, i, p) => {
    if (!isEyeKind(part) || eyeSide(part, i) !== side) return ZERO;
    const e = eyeOf(rig, side);
    // The whole eye opens taller (lid and lash ride along), the lid lifts a little more.
    const d: V3 = [0, (refY(part, i, p) - e.center[1]) * 0.16, 0];
    if (part.kind !== 'eye') d[1] += e.radii[1] * 0.1;
    return d;
  };
}

/** eyeLook: dir 'up' | 'down' | 'in' | 'out' for the given side. In = toward the nose. */
function look(side: number, dir: 'up' | 'down' | 'in' | 'out'): Field {
  return (rig, part, i, p) => {
    if (part.kind !== 'eye' || eyeSide(part, i) !== side) return ZERO;
    const layer = tag(part, 'layer', i);
    if (layer === 0) return ZERO;
    const e = eyeOf(rig, side);
    // Toward the nose is -x for the left eye (+x side) and +x for the right eye.
    // rotY by +a turns +z toward +x.
    const inward = -side;
    let yaw = 0;
    let pitch = 0;
    if (dir === 'up') pitch = LOOK_V;
    if (dir === 'down') pitch = -LOOK_V;
    if (dir === 'in') yaw = inward * LOOK_H;
    if (dir === 'out') yaw = -inward * LOOK_H;
    const d = lookDelta(e, p, yaw, pitch);
    const k = layer === 3 ? 0.5 : 1; // the catch-light drifts less
    return [d[0] * k, d[1] * k, d[2] * k];
  };
}

function browField(fn: (side: number, u: number) => V3, only?: number): Field {
  return (_rig, part, i) => {
    if (part.kind !== 'brow') return ZERO;
    const side = tag(part, 'side', i);
    if (only !== undefined && side !== only) return ZERO;
    return fn(side, tag(part, 'u', i));
  };
}

export const EYE_FIELDS: Record<string, Field> = {
  eyeBlinkLeft: blink(1),
  eyeBlinkRight: blink(-1),
  eyeSquintLeft: squint(1),
  eyeSquintRight: squint(-1),
  eyeWideLeft: wide(1),
  eyeWideRight: wide(-1),
  eyeLookUpLeft: look(1, 'up'),
  eyeLookUpRight: look(-1, 'up'),
  eyeLookDownLeft: look(1, 'down'),
  eyeLookDownRight: look(-1, 'down'),
  eyeLookInLeft: look(1, 'in'),
  eyeLookInRight: look(-1, 'in'),
  eyeLookOutLeft: look(1, 'out'),
  eyeLookOutRight: look(-1, 'out'),
  // Brows: inner end (u=0) toward the nose. x toward the centre is -side.
  browDownLeft: browField((side, u) => [-side * 0.4 * (1 - 0.6 * u), -0.6 - 0.55 * (1 - u), -0.08], 1),
  browDownRight: browField((side, u) => [-side * 0.4 * (1 - 0.6 * u), -0.6 - 0.55 * (1 - u), -0.08], -1),
  browInnerUp: browField((side, u) => [-side * 0.1 * (1 - u), 0.2 + 1.15 * (1 - u) ** 1.3, 0.05]),
  browOuterUpLeft: browField((_s, u) => [0, 0.1 + 1.1 * u ** 1.3, 0], 1),
  browOuterUpRight: browField((_s, u) => [0, 0.1 + 1.1 * u ** 1.3, 0], -1),
};
