/**
 * MediaPipe's canonical face model, for the landmarks noggin uses by name.
 *
 * Coordinates are vertex positions of `canonical_face_model.obj` from the MediaPipe
 * repository (mediapipe/modules/face_geometry/data/; vertex i is landmark i): centimetres,
 * y up, the face looking toward +z, origin inside the head between the ears. +x is the
 * subject's LEFT (landmark 263, the subject's left eye's outer corner, has x > 0), so a
 * viewer facing the model sees the subject's left on the viewer's right.
 *
 * The facial transformation matrix MediaPipe reports maps this space into its virtual
 * camera's space; mascot heads are authored in it so they line up with the face.
 * Browser-safe (no Node imports).
 */

/** A point in canonical face space, centimetres. */
export type CanonicalPoint = readonly [number, number, number];

/** Canonical positions of the landmark indices noggin uses (key points, eyes, brows, lips, face oval). */
export const CANONICAL_LANDMARKS: Readonly<Record<number, CanonicalPoint>> = {
  0: [0.0, -3.406404, 5.979507],
  1: [0.0, -1.126865, 7.475604],
  2: [0.0, -2.089024, 6.058267],
  4: [0.0, -0.46317, 7.58658],
  5: [0.0, 0.365669, 7.24287],
  6: [0.0, 2.473255, 5.788627],
  8: [0.0, 4.019042, 5.284764],
  9: [0.0, 4.885979, 5.385258],
  10: [0.0, 8.261778, 4.481535],
  13: [0.0, -3.994436, 5.219482],
  14: [0.0, -4.5424, 5.404754],
  17: [0.0, -5.365123, 5.535441],
  21: [-7.08796, 5.434801, 0.09962],
  33: [-4.445859, 2.663991, 3.173422],
  48: [-1.608635, -0.942516, 5.814193],
  54: [-6.279331, 6.615427, 1.42585],
  58: [-6.719682, -4.788645, -1.745401],
  61: [-2.456206, -4.342621, 4.283884],
  63: [-4.985894, 4.802461, 3.751977],
  66: [-2.760292, 5.100971, 5.01599],
  67: [-3.523964, 8.005976, 3.729163],
  70: [-5.720968, 4.254584, 2.830852],
  78: [-2.153084, -4.276322, 4.038093],
  93: [-7.542244, -1.049282, -2.431321],
  98: [-1.405627, -1.714196, 5.241087],
  103: [-5.133204, 7.485602, 2.660442],
  105: [-3.986562, 5.109487, 4.466315],
  107: [-1.395634, 5.011963, 5.316032],
  109: [-1.891399, 8.236377, 4.274997],
  127: [-7.743095, 2.364999, -2.005167],
  132: [-7.270895, -2.890917, -2.252455],
  133: [-1.856432, 2.585245, 3.757904],
  136: [-5.085276, -7.17859, 0.714711],
  144: [-3.670075, 2.360153, 3.63523],
  145: [-3.177186, 2.294265, 3.775704],
  148: [-1.292924, -9.29592, 4.094063],
  149: [-3.210651, -8.533278, 2.802001],
  150: [-4.068926, -7.993109, 1.925119],
  152: [0.0, -9.403378, 4.264492],
  153: [-2.724032, 2.315802, 3.777151],
  158: [-2.724032, 2.96181, 3.871767],
  159: [-3.177186, 2.964136, 3.876973],
  160: [-3.670075, 2.927714, 3.724325],
  162: [-7.555811, 4.106811, -0.991917],
  168: [0.0, 3.271027, 5.236015],
  172: [-5.940524, -6.223629, -0.631468],
  176: [-2.308977, -8.974196, 3.60907],
  205: [-3.832928, -1.537326, 4.137731],
  234: [-7.664182, 0.673132, -2.435867],
  251: [7.08796, 5.434801, 0.09962],
  263: [4.445859, 2.663991, 3.173422],
  278: [1.608635, -0.942516, 5.814193],
  284: [6.279331, 6.615427, 1.42585],
  288: [6.719682, -4.788645, -1.745401],
  291: [2.456206, -4.342621, 4.283884],
  293: [4.985894, 4.802461, 3.751977],
  296: [2.760292, 5.100971, 5.01599],
  297: [3.523964, 8.005976, 3.729163],
  300: [5.720968, 4.254584, 2.830852],
  308: [2.153084, -4.276322, 4.038093],
  323: [7.542244, -1.049282, -2.431321],
  327: [1.405627, -1.714196, 5.241087],
  332: [5.133204, 7.485602, 2.660442],
  334: [3.986562, 5.109487, 4.466315],
  336: [1.395634, 5.011963, 5.316032],
  338: [1.891399, 8.236377, 4.274997],
  356: [7.743095, 2.364999, -2.005167],
  361: [7.270895, -2.890917, -2.252455],
  362: [1.856432, 2.585245, 3.757904],
  365: [5.085276, -7.17859, 0.714711],
  373: [3.670075, 2.360153, 3.63523],
  374: [3.177186, 2.294265, 3.775704],
  377: [1.292924, -9.29592, 4.094063],
  378: [3.210651, -8.533278, 2.802001],
  379: [4.068926, -7.993109, 1.925119],
  380: [2.724032, 2.315802, 3.777151],
  385: [2.724032, 2.96181, 3.871767],
  386: [3.177186, 2.964136, 3.876973],
  387: [3.670075, 2.927714, 3.724325],
  389: [7.555811, 4.106811, -0.991917],
  397: [5.940524, -6.223629, -0.631468],
  400: [2.308977, -8.974196, 3.60907],
  425: [3.832928, -1.537326, 4.137731],
  454: [7.664182, 0.673132, -2.435867],
};

/** Key points by name. Left/Right are the subject's own sides. */
export const CANONICAL_FACE = {
  /** Landmark 1: the nose tip. */
  noseTip: CANONICAL_LANDMARKS[1],
  /** Landmark 4: the most forward point of the nose. */
  noseFront: CANONICAL_LANDMARKS[4],
  /** Landmark 168: between the eyes (nose bridge top). */
  noseBridge: CANONICAL_LANDMARKS[168],
  /** Landmark 10: forehead, top of the face oval (about the hairline). */
  forehead: CANONICAL_LANDMARKS[10],
  /** Landmark 152: the chin, bottom of the face oval. */
  chin: CANONICAL_LANDMARKS[152],
  /** Landmark 33 / 133: the subject's right eye, outer and inner corners (x < 0). */
  rightEyeOuter: CANONICAL_LANDMARKS[33],
  rightEyeInner: CANONICAL_LANDMARKS[133],
  /** Landmark 263 / 362: the subject's left eye, outer and inner corners (x > 0). */
  leftEyeOuter: CANONICAL_LANDMARKS[263],
  leftEyeInner: CANONICAL_LANDMARKS[362],
  /** Landmarks 159/145 and 386/374: upper and lower lids, right and left eye. */
  rightEyeUpperLid: CANONICAL_LANDMARKS[159],
  rightEyeLowerLid: CANONICAL_LANDMARKS[145],
  leftEyeUpperLid: CANONICAL_LANDMARKS[386],
  leftEyeLowerLid: CANONICAL_LANDMARKS[374],
  /** Landmark 61 / 291: mouth corners, subject's right (x < 0) and left (x > 0). */
  mouthCornerRight: CANONICAL_LANDMARKS[61],
  mouthCornerLeft: CANONICAL_LANDMARKS[291],
  /** Landmark 0 / 17: outer edge of the upper and lower lip on the midline. */
  upperLipOuter: CANONICAL_LANDMARKS[0],
  lowerLipOuter: CANONICAL_LANDMARKS[17],
  /** Landmark 13 / 14: inner edge of the upper and lower lip on the midline. */
  upperLipInner: CANONICAL_LANDMARKS[13],
  lowerLipInner: CANONICAL_LANDMARKS[14],
  /** Landmark 234 / 454: the sides of the face by the ears, subject's right and left. */
  rightCheek: CANONICAL_LANDMARKS[234],
  leftCheek: CANONICAL_LANDMARKS[454],
  /** Landmark 105 / 334: middle of the right and left eyebrow. */
  rightBrow: CANONICAL_LANDMARKS[105],
  leftBrow: CANONICAL_LANDMARKS[334],
} as const;

/** Midpoint of two canonical points. */
export function midpoint(a: CanonicalPoint, b: CanonicalPoint): CanonicalPoint {
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2];
}

/** Eye centres (mean of the corners and lids), subject's left (+x) and right (-x). */
export const CANONICAL_EYE_CENTER = {
  left: midpoint(midpoint(CANONICAL_FACE.leftEyeOuter, CANONICAL_FACE.leftEyeInner),
    midpoint(CANONICAL_FACE.leftEyeUpperLid, CANONICAL_FACE.leftEyeLowerLid)),
  right: midpoint(midpoint(CANONICAL_FACE.rightEyeOuter, CANONICAL_FACE.rightEyeInner),
    midpoint(CANONICAL_FACE.rightEyeUpperLid, CANONICAL_FACE.rightEyeLowerLid)),
} as const;

/** Mouth centre: midpoint of the inner lip points 13 and 14. */
export const CANONICAL_MOUTH_CENTER: CanonicalPoint = midpoint(CANONICAL_FACE.upperLipInner, CANONICAL_FACE.lowerLipInner);

/**
 * Rough extent of a real head around the canonical face (hair and ears included), used
 * to check that a mascot hides it: an ellipsoid for the skull and hair, two for the ears.
 * Head length 20-22 cm, breadth about 16 cm, chin to crown about 24 cm with hair.
 */
export const HUMAN_HEAD_PROXY = {
  skull: { center: [0, 2.8, -3.8] as CanonicalPoint, radii: [8.2, 12.3, 11.3] as CanonicalPoint },
  nose: { center: [0, -0.8, 6.6] as CanonicalPoint, radii: [1.6, 2.2, 1.1] as CanonicalPoint },
  ears: [
    { center: [8.4, 1.0, -4.5] as CanonicalPoint, radii: [1.2, 3.2, 1.9] as CanonicalPoint },
    { center: [-8.4, 1.0, -4.5] as CanonicalPoint, radii: [1.2, 3.2, 1.9] as CanonicalPoint },
  ],
} as const;
