/**
 * The retarget registry: naming-convention plugins registered by name, and `buildRetarget`,
 * which binds each morph target of a head to MediaPipe scores (explicit profile map first,
 * then the plugins in order) and applies per-channel overrides (gain, offset, clamp,
 * curve). Browser-safe.
 */
import { BLENDSHAPE_COUNT, BLENDSHAPE_INDEX, MEDIAPIPE_BLENDSHAPES, type MediaPipeBlendshape } from '../../core/blendshapes.js';
import { arkitPlugin } from './arkit.js';
import { caseInsensitivePlugin } from './case-insensitive.js';
import { readyPlayerMePlugin } from './ready-player-me.js';
import { suffixLrPlugin } from './suffix-lr.js';
import type { RetargetBinding, RetargetPlugin } from './types.js';

export type { RetargetBinding, RetargetPlugin } from './types.js';

const registry = new Map<string, RetargetPlugin>();

/** Registers a naming-convention plugin (a later one with the same name replaces it). */
export function registerRetargetPlugin(p: RetargetPlugin): void {
  registry.set(p.name, p);
}

/** A registered plugin by name, or undefined. */
export function getRetargetPlugin(name: string): RetargetPlugin | undefined {
  return registry.get(name);
}

/** Every registered plugin, in registration order. */
export function listRetargetPlugins(): RetargetPlugin[] {
  return [...registry.values()];
}

for (const p of [arkitPlugin, suffixLrPlugin, readyPlayerMePlugin, caseInsensitivePlugin]) registerRetargetPlugin(p);

/** Plugins tried, in order, when a profile names none. */
export const DEFAULT_RETARGET_PLUGINS: readonly string[] = ['arkit', 'suffix-lr', 'ready-player-me', 'case-insensitive'];

/** Response curve applied to a score before gain and offset. A number is an exponent (score^k). */
export type RetargetCurve = 'linear' | 'smoothstep' | 'ease-in' | 'ease-out' | number;

/** Per-channel override: out = clamp(gain * curve(score) + offset, min, max). */
export interface ChannelOverride {
  readonly gain?: number;
  readonly offset?: number;
  readonly min?: number;
  readonly max?: number;
  readonly curve?: RetargetCurve;
}

/** How a head is retargeted (from its profile; everything optional). */
export interface RetargetConfig {
  /** Plugin names in priority order (default DEFAULT_RETARGET_PLUGINS). */
  readonly plugins?: readonly string[];
  /** Overrides per MediaPipe channel name (`jawOpen`, ...). */
  readonly channels?: Readonly<Record<string, ChannelOverride>>;
  /** Explicit morph target name -> MediaPipe channel name, or null to leave the target alone. */
  readonly map?: Readonly<Record<string, string | null>>;
}

/** A bound head: which morph target listens to which scores. */
export interface Retarget {
  /** Target names bound to at least one score, with the plugin (or "map") that bound them. */
  readonly bound: ReadonlyMap<string, string>;
  /** Target names nothing binds (they stay at 0). */
  readonly unbound: readonly string[];
  /** Fills `out[i]` (i in the order of the target names given) from 52 scores. */
  apply(scores: ArrayLike<number>, out: Float32Array): void;
}

function curveFn(c: RetargetCurve | undefined): (x: number) => number {
  if (c === undefined || c === 'linear') return (x) => x;
  if (c === 'smoothstep') return (x) => x * x * (3 - 2 * x);
  if (c === 'ease-in') return (x) => x * x;
  if (c === 'ease-out') return (x) => 1 - (1 - x) * (1 - x);
  const k = c;
  return (x) => Math.pow(Math.max(0, x), k);
}

/** Throws an Error naming the problem when a config refers to unknown plugins or channels. */
export function checkRetargetConfig(cfg: RetargetConfig): void {
  for (const p of cfg.plugins ?? []) {
    if (!registry.has(p)) throw new Error(`unknown retarget plugin "${p}" (known: ${[...registry.keys()].join(', ')})`);
  }
  for (const ch of Object.keys(cfg.channels ?? {})) {
    if (!(ch in BLENDSHAPE_INDEX) || ch === '_neutral') throw new Error(`unknown blendshape channel "${ch}" in the retarget overrides`);
  }
  for (const [t, ch] of Object.entries(cfg.map ?? {})) {
    if (ch !== null && (!(ch in BLENDSHAPE_INDEX) || ch === '_neutral')) throw new Error(`morph target "${t}" is mapped to unknown channel "${ch}"`);
  }
}

/** Binds `targetNames` (a head's morph target names, in the order `apply` fills) to the scores. */
export function buildRetarget(targetNames: readonly string[], cfg: RetargetConfig = {}): Retarget {
  checkRetargetConfig(cfg);
  const plugins = (cfg.plugins ?? DEFAULT_RETARGET_PLUGINS).map((n) => registry.get(n)!);
  const all = new Set(targetNames);
  const bound = new Map<string, string>();
  const unbound: string[] = [];
  const bindings: (readonly RetargetBinding[])[] = targetNames.map((name) => {
    if (cfg.map && Object.prototype.hasOwnProperty.call(cfg.map, name)) {
      const ch = cfg.map[name];
      if (ch === null) {
        unbound.push(name);
        return [];
      }
      bound.set(name, 'map');
      return [{ source: BLENDSHAPE_INDEX[ch as MediaPipeBlendshape], weight: 1 }];
    }
    for (const p of plugins) {
      const b = p.bind(name, all);
      if (b) {
        if (b.length) bound.set(name, p.name);
        else unbound.push(name);
        return b;
      }
    }
    unbound.push(name);
    return [];
  });
  // Channel transfer functions, by score index.
  const fns: ((x: number) => number)[] = MEDIAPIPE_BLENDSHAPES.map((n) => {
    const o = cfg.channels?.[n];
    if (!o) return (x: number) => x;
    const curve = curveFn(o.curve);
    const gain = o.gain ?? 1;
    const offset = o.offset ?? 0;
    const min = o.min ?? 0;
    const max = o.max ?? 1;
    return (x: number) => Math.min(max, Math.max(min, gain * curve(Math.min(1, Math.max(0, x))) + offset));
  });
  const channel = new Float32Array(BLENDSHAPE_COUNT);
  return {
    bound,
    unbound,
    apply(scores, out) {
      for (let i = 0; i < BLENDSHAPE_COUNT; i++) channel[i] = fns[i](scores[i] ?? 0);
      for (let t = 0; t < bindings.length; t++) {
        const b = bindings[t];
        let v = 0;
        for (let k = 0; k < b.length; k++) v += b[k].weight * channel[b[k].source];
        out[t] = Number.isFinite(v) ? v : 0;
      }
    },
  };
}
