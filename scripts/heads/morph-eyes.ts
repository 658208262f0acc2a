/**
 * Morph fields for the eye region: blinks and squints squash the eye (white, iris, lid and
 * lash move together, so the lid never cuts into the eyeball), eyeWide turns the upper lid
 * up over the eyeball, the eyeLook shapes turn the iris, pupil and catch-light over the
 * eyeball (the lid following vertical looks), and the brows slide over the forehead.
 */
import { type Part, tag } from './mesh.js';
import type { FaceRig } from './rig.js';
import type { EyeRig } from './eyes.js';
import { gradient } from './shape.js';
import { type V3, add, sub, scale, rotY, rotX, deg, smoothstep } from './vec.js';

const ZERO: V3 = [0, 0, 0];

/**
 * Look angles at full weight (horizontal, vertical). The iris shell floats IRIS_LIFT over
 * the white so that the chord a linear morph travels stays above the white at any weight.
 */
export const LOOK_H_DEG = 25;
export const LOOK_V_DEG = 20;
const LOOK_H = deg(LOOK_H_DEG);
const LOOK_V = deg(LOOK_V_DEG);
/** How far the upper lid follows a vertical look (real lids rise and fall with the gaze). */
const LID_FOLLOW = 0.45;
/**
 * eyeWide: the upper lid's edge turns up over the eyeball by WIDE_TURN and rises by
 * WIDE_RISE eye heights; the eyeball stretches taller by WIDE_STRETCH.
 */
const WIDE_TURN = deg(13);
const WIDE_RISE = 0.06;
const WIDE_STRETCH = 0.07;
/** eyeBlink: how far (in eye depths) the eyeball sinks so that the closed lid covers it. */
const BLINK_SINK = 0.62;

function eyeOf(rig: FaceRig, side: number): EyeRig {
  return side > 0 ? rig.eyes.left : rig.eyes.right;
}

/**
 * Turns a point by (yaw, pitch) in the eye's local unit-sphere space (so a point on the
 * eyeball, or on the lid's shell around it, stays on it); returns the delta.
 */
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

/**
 * The lid comes down: the whole eye squashes onto the closing line (so the lid never cuts
 * into the eyeball at any weight), and the eyeball sinks back behind the flattened lid,
 * so a closed eye shows lid and lashes, not a sliver of iris.
 */
function blink(side: number): Field {
  return (rig, part, i, p) => {
    if (!isEyeKind(part) || eyeSide(part, i) !== side) return ZERO;
    const e = eyeOf(rig, side);
    const d = squash(refY(part, i, p), e.closeY, 0.96);
    if (part.kind === 'eye') return add(d, rotY([0, 0, -BLINK_SINK * e.radii[2]], e.yaw));
    return d;
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

/**
 * The upper lid's edge turns up and back over the eyeball, showing more white. Each lid
 * vertex turns over the lid's shell (clear of the eyeball), by more the nearer it is to the
 * edge: the top of the lid stays.
 */
function wide(side: number): Field {
  return (rig, part, i, p) => {
    if (!isEyeKind(part) || eyeSide(part, i) !== side) return ZERO;
    const e = eyeOf(rig, side);
    // The eyeball opens a little taller too (lower edge down), as the lower lid drops.
    if (part.kind === 'eye') return [0, (p[1] - e.center[1]) * WIDE_STRETCH, 0];
    const c: V3 = part.kind === 'lash' ? [p[0], tag(part, 'cy', i), p[2]] : p;
    const local = rotY(sub(c, e.center), -e.yaw);
    const up = local[1] / Math.hypot(local[0] * (e.radii[1] / e.radii[0]), local[1], local[2] * (e.radii[1] / e.radii[2]));
    const w = smoothstep(1, 0.8, up);
    return scale(add(lookDelta(e, c, 0, WIDE_TURN), [0, WIDE_RISE * e.radii[1], 0]), w);
  };
}

/** eyeLook: dir 'up' | 'down' | 'in' | 'out' for the given side. In = toward the nose. */
function look(side: number, dir: 'up' | 'down' | 'in' | 'out'): Field {
  return (rig, part, i, p) => {
    if (!isEyeKind(part) || eyeSide(part, i) !== side) return ZERO;
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
    if (part.kind !== 'eye') return pitch === 0 ? ZERO : lookDelta(e, part.kind === 'lash' ? [p[0], tag(part, 'cy', i), p[2]] : p, 0, pitch * LID_FOLLOW);
    const layer = tag(part, 'layer', i);
    if (layer === 0) return ZERO;
    const d = lookDelta(e, p, yaw, pitch);
    const k = layer === 3 ? 0.5 : 1; // the catch-light drifts less
    return [d[0] * k, d[1] * k, d[2] * k];
  };
}

/**
 * Moves a brow vertex by `d`, then back onto its own distance from the head's surface: a
 * brow sliding down a sloped forehead would otherwise sink into it.
 */
function onSurface(rig: FaceRig, p: V3, d: V3): V3 {
  const f = rig.shape;
  if (!f) return d;
  const h0 = f(p);
  let q = add(p, d);
  for (let k = 0; k < 2; k++) q = add(q, scale(gradient(f, q), h0 - f(q)));
  return sub(q, p);
}

function browField(fn: (side: number, u: number) => V3, only?: number): Field {
  return (rig, part, i, p) => {
    if (part.kind !== 'brow') return ZERO;
    const side = tag(part, 'side', i);
    if (only !== undefined && side !== only) return ZERO;
    return onSurface(rig, p, fn(side, tag(part, 'u', i)));
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
