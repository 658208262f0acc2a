/**
 * The eye morphs of every mascot, on the parts the builder makes (scripts/heads): the eye
 * look shapes, alone or mixed at any weight, keep the iris and pupil above the white (a
 * linear morph moves them along chords of the eyeball); at full weight the iris stays clear
 * of the skin; eyeWide turns the lid up over the eyeball without cutting into it; a full
 * blink puts the eyeball behind the closed lid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARKIT_BLENDSHAPES } from '../core/blendshapes.js';
import { assembleHead, type AssembledHead } from '../scripts/heads/head.js';
import { MASCOTS } from '../scripts/heads/mascots/index.js';
import type { EyeRig } from '../scripts/heads/eyes.js';
import type { Part } from '../scripts/heads/mesh.js';

type V3 = [number, number, number];

interface Layered {
  part: Part;
  delta(name: string): Float32Array;
}

function partOf(head: AssembledHead, kind: Part['kind']): Layered {
  const m = head.morphParts.find((x) => x.part.kind === kind);
  assert.ok(m, `no ${kind} part`);
  return { part: m.part, delta: (name) => m.targets.positions[ARKIT_BLENDSHAPES.indexOf(name as (typeof ARKIT_BLENDSHAPES)[number])] };
}

/** Vertex i of a part with the weighted targets applied. */
function moved(l: Layered, i: number, mix: [string, number][]): V3 {
  const p: V3 = [l.part.positions[3 * i], l.part.positions[3 * i + 1], l.part.positions[3 * i + 2]];
  for (const [name, w] of mix) {
    const d = l.delta(name);
    for (let k = 0; k < 3; k++) p[k] += w * d[3 * i + k];
  }
  return p;
}

/** A point in the eye's frame: yaw undone, divided by the eyeball's radii (the white is r = 1). */
function eyeLocal(e: EyeRig, p: V3): V3 {
  const x = p[0] - e.center[0];
  const y = p[1] - e.center[1];
  const z = p[2] - e.center[2];
  const c = Math.cos(-e.yaw);
  const s = Math.sin(-e.yaw);
  return [(x * c + z * s) / e.radii[0], y / e.radii[1], (-x * s + z * c) / e.radii[2]];
}

const tagOf = (p: Part, name: string, i: number): number => p.tags[name]?.[i] ?? 0;
const count = (p: Part): number => p.positions.length / 3;

for (const spec of MASCOTS) {
  const head = assembleHead(spec);
  const eye = partOf(head, 'eye');
  const lid = partOf(head, 'lid');
  const sides: [number, string, EyeRig][] = [[1, 'Left', head.rig.eyes.left], [-1, 'Right', head.rig.eyes.right]];
  const irisOf = (side: number): number[] => {
    const out: number[] = [];
    for (let i = 0; i < count(eye.part); i++) {
      const layer = tagOf(eye.part, 'layer', i);
      if (tagOf(eye.part, 'side', i) === side && (layer === 1 || layer === 2)) out.push(i);
    }
    return out;
  };

  test(`${spec.name}: any mix of eye look shapes keeps the iris and pupil above the white`, () => {
    const low: string[] = [];
    for (const [side, S, e] of sides) {
      const iris = irisOf(side);
      for (const v of ['', 'Up', 'Down']) {
        for (const h of ['', 'In', 'Out']) {
          for (const a of [0.25, 0.5, 0.75, 1]) {
            for (const b of [0.25, 0.5, 0.75, 1]) {
              const mix: [string, number][] = [];
              if (v) mix.push([`eyeLook${v}${S}`, a]);
              if (h) mix.push([`eyeLook${h}${S}`, b]);
              if (!mix.length) continue;
              let r = Infinity;
              for (const i of iris) r = Math.min(r, Math.hypot(...eyeLocal(e, moved(eye, i, mix))));
              if (r < 1.01) low.push(`${mix.map(([n, w]) => `${n} ${w}`).join(' + ')}: radius ${r.toFixed(3)}`);
            }
          }
        }
      }
    }
    assert.deepEqual(low.slice(0, 5), []);
  });

  test(`${spec.name}: each eye look at 1.0 turns the iris 15-30 degrees and keeps it clear of the skin`, () => {
    const bad: string[] = [];
    for (const [side, S, e] of sides) {
      const iris = irisOf(side);
      const axis = (mix: [string, number][]): V3 => {
        const c: V3 = [0, 0, 0];
        for (const i of iris) {
          const u = eyeLocal(e, moved(eye, i, mix));
          for (let k = 0; k < 3; k++) c[k] += u[k] / iris.length;
        }
        return c;
      };
      const rest = axis([]);
      for (const dir of ['Up', 'Down', 'In', 'Out']) {
        const name = `eyeLook${dir}${S}`;
        const a = axis([[name, 1]]);
        const cos = (rest[0] * a[0] + rest[1] * a[1] + rest[2] * a[2]) / (Math.hypot(...rest) * Math.hypot(...a));
        const turned = (Math.acos(Math.min(1, cos)) * 180) / Math.PI;
        if (turned < 15 || turned > 30) bad.push(`${name}: turns the iris ${turned.toFixed(1)} degrees`);
        let inside = 0;
        for (const i of iris) if (spec.shape(moved(eye, i, [[name, 1]])) < -0.05) inside++;
        if (inside > 0) bad.push(`${name}: ${inside} iris vertices under the skin`);
      }
    }
    assert.deepEqual(bad, []);
  });

  test(`${spec.name}: eyeWide lifts the upper lid over the eyeball, never into it`, () => {
    for (const [side, S, e] of sides) {
      const ids: number[] = [];
      for (let i = 0; i < count(lid.part); i++) if (tagOf(lid.part, 'side', i) === side) ids.push(i);
      const edge = (mix: [string, number][]): number => {
        let y = Infinity;
        for (const i of ids) {
          const p = moved(lid, i, mix);
          if (eyeLocal(e, p)[2] > 0.3) y = Math.min(y, p[1]);
        }
        return y;
      };
      for (const w of [0.5, 1]) {
        let r = Infinity;
        for (const i of ids) r = Math.min(r, Math.hypot(...eyeLocal(e, moved(lid, i, [[`eyeWide${S}`, w]]))));
        assert.ok(r > 1.06, `eyeWide${S} ${w}: the lid comes within ${r.toFixed(3)} eyeball radii of the centre`);
      }
      const rise = edge([[`eyeWide${S}`, 1]]) - edge([]);
      assert.ok(rise > 0.1 && rise < 0.25 * e.radii[1] * 2, `eyeWide${S}: the lid edge rises ${rise.toFixed(2)} cm`);
    }
  });

  test(`${spec.name}: a full blink puts the eyeball behind the closed lid`, () => {
    for (const [side, S, e] of sides) {
      const front = (l: Layered): number => {
        let z = -Infinity;
        for (let i = 0; i < count(l.part); i++) {
          if (tagOf(l.part, 'side', i) === side) z = Math.max(z, eyeLocal(e, moved(l, i, [[`eyeBlink${S}`, 1]]))[2]);
        }
        return z;
      };
      assert.ok(front(eye) < front(lid) - 0.05, `eyeBlink${S}: eyeball front ${front(eye).toFixed(2)}, lid front ${front(lid).toFixed(2)} (eye depths)`);
    }
  });
}
