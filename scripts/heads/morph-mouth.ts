/**
 * Morph fields for the mouth, jaw, cheeks and nose. The skin carries ring coordinates
 * around the mouth (phi: angle around the mouth, 0 at the subject's left corner, pi/2 the
 * upper lip; s: ring distance from the lip edge; bag: inside the mouth), which split the
 * upper from the lower lip exactly, however close they are.
 */
import { type Part, tag, getNormal } from './mesh.js';
import type { FaceRig } from './rig.js';
import { type Field, squint } from './morph-eyes.js';
import { type V3, add, scale, sub, rotateAbout, smoothstep, gauss3, madd, lerp } from './vec.js';

const ZERO: V3 = [0, 0, 0];

const isSkin = (p: Part): boolean => p.kind === 'skin';

/** How much a vertex belongs to the lower lip / jaw side of the mouth (0 upper .. 1 lower). */
export function lowerness(rig: FaceRig, part: Part, i: number): number {
  if (part.kind === 'teethLower' || part.kind === 'tongue') return 1;
  if (!isSkin(part)) return 0;
  const phi = tag(part, 'phi', i);
  const s = tag(part, 's', i);
  const sn = Math.sin(phi);
  // On the lips and in the bag: -sin(phi) = sqrt(1 - (x/A)^2) along the lower lip, so the
  // jaw opens the mouth into a rounded shape with the corners staying put.
  const lip = sn < 0 ? (-sn) ** 0.55 : 0;
  if (tag(part, 'bag', i) > 0) return lip;
  const broad = smoothstep(1, -1, sn);
  return lerp(lip, broad, smoothstep(rig.skin.sLip, rig.skin.sLip + 0.45, s));
}

/** Jaw weight of the lower teeth and tongue: full in the middle, like the lip toward the corners. */
function innerJaw(rig: FaceRig, p: V3): number {
  const x = Math.min(1, Math.abs(p[0]) / (rig.skin.halfWidth * 1.02));
  return (1 - x * x) ** 0.3;
}

/** Jaw weight: lower lip, chin, jaw line; fading toward the cheeks' back and the throat. */
export function jawWeight(rig: FaceRig, part: Part, i: number, p: V3): number {
  if (part.kind === 'teethLower' || part.kind === 'tongue') return innerJaw(rig, p);
  if (!isSkin(part)) return 0;
  const L = lowerness(rig, part, i);
  if (tag(part, 'bag', i) > 0) return L;
  const qx = tag(part, 'qx', i);
  const qy = tag(part, 'qy', i);
  const side = 1 - smoothstep(0.5, 1.05, Math.abs(qx));
  const down = 1 - smoothstep(1.25, 1.8, -qy);
  const up = 1 - smoothstep(0.05, 0.4, qy - rig.skin.smileAng);
  return L * side * down * up;
}

/**
 * 0 right at the mouth corners, 1 a centimetre or so away. Sliding the jaw sideways or
 * forward must not shear the corners, where the lips meet in a fan of thin triangles.
 */
function cornerCalm(rig: FaceRig, part: Part, p: V3): number {
  if (!isSkin(part)) return 1;
  const s: V3 = [1.1, 0.9, 1.6];
  return (1 - gauss3(p, rig.skin.cornerLeft, s)) * (1 - gauss3(p, rig.skin.cornerRight, s));
}

function jawFull(rig: FaceRig, p: V3): V3 {
  return sub(rotateAbout(p, rig.hinge, [1, 0, 0], rig.jawAngle), p);
}

/** Lips and the skin right around them (1 on the lips, fading over ~1.3 cm; inside the bag by depth). */
function lipWeight(rig: FaceRig, part: Part, i: number, spread = 1.3): number {
  if (!isSkin(part)) return 0;
  if (tag(part, 'bag', i) > 0) return 1 - smoothstep(0.2, 1.6, tag(part, 'depth', i));
  return 1 - smoothstep(rig.skin.mouth.lipWidth, rig.skin.mouth.lipWidth + spread, tag(part, 'sCm', i));
}

/** Subject-side weight around the mouth: side +1 is the subject's left (+x). */
function sideWeight(rig: FaceRig, p: V3, side: number): number {
  const hw = rig.skin.halfWidth;
  return smoothstep(-0.25 * hw, 0.55 * hw, side * p[0]);
}

function corner(rig: FaceRig, side: number): V3 {
  return side > 0 ? rig.skin.cornerLeft : rig.skin.cornerRight;
}

function cornerWeight(rig: FaceRig, part: Part, p: V3, side: number, spread = 1): number {
  if (!isSkin(part) && part.kind !== 'cheek') return 0;
  const hw = rig.skin.halfWidth;
  return gauss3(p, corner(rig, side), [(0.45 * hw + 0.4) * spread, 1.4 * spread, 2.2]);
}

function cheekWeight(rig: FaceRig, part: Part, i: number, p: V3, side: number, lift = 0): number {
  if (part.kind === 'cheek') return side * p[0] > 0 ? 1 : 0;
  if (!isSkin(part) || tag(part, 'bag', i) > 0) return 0;
  const c = side > 0 ? rig.cheeks.left : rig.cheeks.right;
  return gauss3(p, [c[0], c[1] + lift, c[2]], [2.4, 2.3, 3.5]);
}

function mouthArea(rig: FaceRig, part: Part, p: V3): number {
  if (!isSkin(part)) return 0;
  const hw = rig.skin.halfWidth;
  return gauss3(p, rig.skin.mouthCenter, [hw + 1.4, 1.9, 2.4]);
}

const S = (rig: FaceRig): number => rig.mouthScale;

function cornerPull(side: number, v: (rig: FaceRig) => V3, spread = 1, cheek = 0): Field {
  return (rig, part, i, p) => {
    const w = cornerWeight(rig, part, p, side, spread);
    const base: V3 = v(rig);
    let d = scale([base[0] * side, base[1], base[2]], w * S(rig));
    if (cheek !== 0) d = add(d, scale([0.05 * side, 0.35, 0.15], cheek * cheekWeight(rig, part, i, p, side, -0.6)));
    return d;
  };
}

export const MOUTH_FIELDS: Record<string, Field> = {
  jawOpen: (rig, part, i, p) => scale(jawFull(rig, p), jawWeight(rig, part, i, p)),
  jawForward: (rig, part, i, p) => scale([0, 0, 0.8], jawWeight(rig, part, i, p) * cornerCalm(rig, part, p)),
  jawLeft: (rig, part, i, p) => scale([0.8, 0, 0], jawWeight(rig, part, i, p) * cornerCalm(rig, part, p)),
  jawRight: (rig, part, i, p) => scale([-0.8, 0, 0], jawWeight(rig, part, i, p) * cornerCalm(rig, part, p)),
  mouthClose: (rig, part, i, p) => {
    // Teeth and tongue follow part of the way so they stay behind the closed lips.
    if (part.kind === 'teethLower' || part.kind === 'tongue') return scale(jawFull(rig, p), -0.8 * innerJaw(rig, p));
    if (!isSkin(part)) return ZERO;
    const L = lowerness(rig, part, i);
    const w = lipWeight(rig, part, i, 0.9);
    // Lower lip back up by what jawOpen moved it; upper lip down a little.
    return add(scale(jawFull(rig, p), -0.95 * L * w), [0, -0.12 * (1 - L) * w, 0]);
  },
  mouthFunnel: (rig, part, i, p) => {
    const w = lipWeight(rig, part, i);
    if (w === 0) return ZERO;
    const L = lowerness(rig, part, i);
    const hw = rig.skin.halfWidth;
    return scale([-0.35 * p[0] / hw * S(rig), (0.5 - L) * 0.9 * S(rig), 0.55], w);
  },
  mouthPucker: (rig, part, i, p) => {
    const w = lipWeight(rig, part, i, 1.6);
    if (w === 0) return ZERO;
    const hw = rig.skin.halfWidth;
    return scale([-0.9 * p[0] / hw * S(rig), 0, 1.0], w);
  },
  mouthLeft: (rig, part, _i, p) => scale([0.9 * S(rig), 0, -0.05], mouthArea(rig, part, p)),
  mouthRight: (rig, part, _i, p) => scale([-0.9 * S(rig), 0, -0.05], mouthArea(rig, part, p)),
  mouthSmileLeft: cornerPull(1, () => [0.35, 0.8, -0.3], 1.1, 1),
  mouthSmileRight: cornerPull(-1, () => [0.35, 0.8, -0.3], 1.1, 1),
  mouthFrownLeft: cornerPull(1, () => [0.1, -1.0, -0.1], 1.1),
  mouthFrownRight: cornerPull(-1, () => [0.1, -1.0, -0.1], 1.1),
  mouthStretchLeft: cornerPull(1, () => [0.7, -0.2, -0.35], 1.3),
  mouthStretchRight: cornerPull(-1, () => [0.7, -0.2, -0.35], 1.3),
  mouthDimpleLeft: cornerPull(1, () => [0.25, 0.03, -0.5], 0.9),
  mouthDimpleRight: cornerPull(-1, () => [0.25, 0.03, -0.5], 0.9),
  mouthPressLeft: pressField(1),
  mouthPressRight: pressField(-1),
  mouthLowerDownLeft: lipSide(1, false, [0, -0.8, 0.1]),
  mouthLowerDownRight: lipSide(-1, false, [0, -0.8, 0.1]),
  mouthUpperUpLeft: lipSide(1, true, [0, 0.65, 0.1]),
  mouthUpperUpRight: lipSide(-1, true, [0, 0.65, 0.1]),
  mouthRollLower: rollField(false),
  mouthRollUpper: rollField(true),
  mouthShrugLower: (rig, part, _i, p) => {
    // Chin and lower lip push up, the upper lip riding along (one smooth field: no folds).
    if (!isSkin(part)) return ZERO;
    const c = rig.skin.mouthCenter;
    const w = gauss3(p, [c[0], c[1] - 1.6, c[2]], [rig.skin.halfWidth + 0.8, 2.0, 2.6]);
    return scale([0, 0.5, 0.25], w * S(rig));
  },
  mouthShrugUpper: (rig, part, i, p) => {
    if (!isSkin(part)) return ZERO;
    const U = 1 - lowerness(rig, part, i);
    const c = rig.skin.mouthCenter;
    const w = gauss3(p, [c[0], c[1] + 0.6, c[2]], [rig.skin.halfWidth + 0.5, 1.4, 2.4]);
    return scale([0, 0.4, 0.15], U * w * S(rig));
  },
  cheekPuff: (rig, part, i, p) => {
    const lips = isSkin(part) ? lipWeight(rig, part, i, 0.9) : 0;
    const w = Math.max(cheekWeight(rig, part, i, p, 1, -0.4), cheekWeight(rig, part, i, p, -1, -0.4)) * (1 - lips);
    if (w === 0) return ZERO;
    const n = part.kind === 'cheek' ? norm2(p, rig) : getNormal(part, i);
    return scale(n, 1.0 * w);
  },
  cheekSquintLeft: cheekSquint(1),
  cheekSquintRight: cheekSquint(-1),
  noseSneerLeft: sneer(1),
  noseSneerRight: sneer(-1),
};

/** Outward direction for blush patches (from the head centre, horizontal). */
function norm2(p: V3, rig: FaceRig): V3 {
  const d = sub(p, rig.skin.center);
  const l = Math.hypot(d[0], d[2]) || 1;
  return [d[0] / l, 0, d[2] / l];
}

/** 0 at the mouth corners (phi = 0 or pi), 1 a little way along either lip. */
function awayFromCorner(part: Part, i: number): number {
  if (!isSkin(part)) return 1;
  return smoothstep(0, 0.45, Math.abs(Math.sin(tag(part, 'phi', i))));
}

/**
 * Where a vertex sits across the lip band's bulge: 0 at the inner edge and the outer
 * border, 1 on the crest. Flattening the lips moves only the bulge, so the curl into the
 * mouth never folds over.
 */
function lipBulge(rig: FaceRig, part: Part, i: number): number {
  if (!isSkin(part) || tag(part, 'bag', i) > 0 || tag(part, 'lip', i) <= 0) return 0;
  const u = tag(part, 's', i) / rig.skin.sLip;
  return u <= 0 || u >= 1 ? 0 : Math.sin(Math.PI * u);
}

/**
 * mouthPress: the lips are already closed, so pressing them flattens them and pushes the
 * mouth up a little from below (both lips together, so they never cross).
 */
function pressField(side: number): Field {
  return (rig, part, i, p) => {
    if (!isSkin(part)) return ZERO;
    const sideW = sideWeight(rig, p, side);
    if (sideW === 0) return ZERO;
    const lw = rig.skin.mouth.lipWidth;
    const sCm = tag(part, 'sCm', i);
    const bag = tag(part, 'bag', i) > 0;
    const w = lipWeight(rig, part, i, 1.6);
    const L = lowerness(rig, part, i);
    // Skin just below the lower lip bunches up; it rises from nothing at the lip's border.
    const below = bag ? 0 : L * smoothstep(lw, lw + 0.6, sCm) * (1 - smoothstep(lw + 0.6, lw + 2.0, sCm));
    const flat = lipBulge(rig, part, i) * rig.skin.mouth.lipHeight * 0.6;
    const d = madd([0, 0.1 * w + 0.18 * below, -0.12 * w], getNormal(part, i), -flat);
    return scale(d, sideW * awayFromCorner(part, i) * S(rig));
  };
}

function lipSide(side: number, upper: boolean, v: V3): Field {
  return (rig, part, i, p) => {
    if (!isSkin(part)) return ZERO;
    const L = lowerness(rig, part, i);
    const k = upper ? 1 - L : L;
    const w = k * lipWeight(rig, part, i, 1.4) * sideWeight(rig, p, side);
    return scale(v, w * S(rig));
  };
}

/** mouthRoll: one lip rolls in, back into the mouth, its bulge flattening. */
function rollField(upper: boolean): Field {
  return (rig, part, i) => {
    if (!isSkin(part)) return ZERO;
    const L = lowerness(rig, part, i);
    const k = upper ? 1 - L : L;
    const w = k * lipWeight(rig, part, i, 0.6);
    if (w === 0) return ZERO;
    const flat = lipBulge(rig, part, i) * rig.skin.mouth.lipHeight * 0.7;
    const d = madd([0, 0, -0.45], getNormal(part, i), -flat);
    return scale(d, w * awayFromCorner(part, i) * S(rig));
  };
}

function cheekSquint(side: number): Field {
  const eye = squint(side);
  return (rig, part, i, p) => {
    if (part.kind === 'eye' || part.kind === 'lid' || part.kind === 'lash') return scale(eye(rig, part, i, p), 0.35);
    const w = cheekWeight(rig, part, i, p, side, 1.2);
    return scale([0.05 * side, 0.5, 0.12], w);
  };
}

function sneer(side: number): Field {
  return (rig, part, _i, p) => {
    if (!isSkin(part) && part.kind !== 'nose') return ZERO;
    const n = rig.nose;
    let w = gauss3(p, [n[0] + side * 1.4, n[1] + 0.2, n[2] - 0.8], [1.7, 1.8, 3.2]);
    // The nose's own side (nostril) lifts; the other half stays.
    if (part.kind === 'nose') w = 0.7 * smoothstep(0.1, 1.3, side * (p[0] - n[0]));
    return scale([side * 0.1, 0.6, 0.05], w);
  };
}
