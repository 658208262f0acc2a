/**
 * PBR material specs. Colours are sRGB hex (what a user writes in a profile); glTF's
 * baseColorFactor is linear, so hexToLinear converts when writing the file.
 */

export interface MaterialSpec {
  name: string;
  /** Base colour, sRGB "#rrggbb". */
  color: string;
  metallic: number;
  roughness: number;
  /** Emissive colour, sRGB hex (for glowing robot eyes, catch-lights). */
  emissive?: string;
  doubleSided?: boolean;
}

export function hexToLinear(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) throw new Error(`bad colour ${hex}`);
  const n = parseInt(m[1], 16);
  const c = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return [c[0], c[1], c[2]];
}

/** Shorthand constructors for the usual kinds of surface. */
export const mat = {
  fur: (name: string, color: string): MaterialSpec => ({ name, color, metallic: 0, roughness: 0.85 }),
  skin: (name: string, color: string): MaterialSpec => ({ name, color, metallic: 0, roughness: 0.6 }),
  gloss: (name: string, color: string): MaterialSpec => ({ name, color, metallic: 0, roughness: 0.25 }),
  metal: (name: string, color: string, roughness = 0.35): MaterialSpec => ({ name, color, metallic: 0.85, roughness }),
  glow: (name: string, color: string, emissive = color): MaterialSpec => ({ name, color, metallic: 0, roughness: 0.3, emissive }),
  matte: (name: string, color: string): MaterialSpec => ({ name, color, metallic: 0, roughness: 0.95 }),
};
