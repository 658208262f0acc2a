/**
 * Resolving `--head NAME|FILE` to a model file and its profile (core/head-catalog.ts), the
 * render extras of the profile, the file check, and the render page's head spec.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { z } from 'zod';
import { NogginError } from '../core/errors.js';
import { listHeads, resolveHead as resolveCatalogHead, type HeadEntry } from '../core/head-catalog.js';
import { parseHeadProfile, type ParsedHeadProfile } from '../core/head-profile.js';
import type { RenderHeadSpec } from '../core/page-contract.js';
import { checkHeadFile, DEFAULT_HEAD_LIMITS, type HeadFileInfo, type HeadLimits } from './head-check.js';
import { checkRetargetConfig, type RetargetConfig } from './retarget/index.js';

/** A resolved head: its file, what the check found, its profile (if any). */
export interface HeadSource {
  /** What the user asked for. */
  readonly request: string;
  /** Absolute path of the model file. */
  readonly modelPath: string;
  readonly file: HeadFileInfo;
  /** The profile, or null for a bare file. */
  readonly profile: ParsedHeadProfile | null;
  /** Path of the profile file, when any. */
  readonly profilePath: string | null;
  /** Retargeting from the profile (channels incl. curves, plugin order, explicit map). */
  readonly retarget: RetargetConfig;
}

const curve = z.union([z.enum(['linear', 'smoothstep', 'ease-in', 'ease-out']), z.number().positive()]);
/**
 * Render-side additions read from the profile JSON beside core/head-profile.ts's schema:
 * `retarget.<channel>.curve`, `retargetPlugins` (names in order) and `morphMap`
 * (target name -> channel or null).
 */
const RenderExtrasSchema = z.looseObject({
  retarget: z.record(z.string(), z.looseObject({ curve: curve.optional() })).optional(),
  retargetPlugins: z.array(z.string()).optional(),
  morphMap: z.record(z.string(), z.string().nullable()).optional(),
});

async function readProfile(path: string): Promise<{ profile: ParsedHeadProfile; retarget: RetargetConfig }> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new NogginError('head', `the head profile ${path} is not valid JSON (${(e as Error).message.slice(0, 80)})`, 'fix the JSON, or remove the file to use the head without a profile');
  }
  let profile: ParsedHeadProfile;
  let extras: z.infer<typeof RenderExtrasSchema>;
  try {
    profile = parseHeadProfile(json);
    extras = RenderExtrasSchema.parse(json);
  } catch (e) {
    const issue = (e as z.ZodError).issues?.[0];
    const where = issue ? `${issue.path.join('.') || '(top)'}: ${issue.message}` : (e as Error).message;
    throw new NogginError('head', `the head profile ${path} is invalid (${where})`, 'fix the profile (see core/head-profile.ts for its fields)');
  }
  const channels: Record<string, { gain?: number; offset?: number; min?: number; max?: number; curve?: z.infer<typeof curve> }> = {};
  for (const [name, ch] of Object.entries(profile.retarget ?? {})) {
    if (ch) channels[name] = { ...ch, curve: extras.retarget?.[name]?.curve };
  }
  const retarget: RetargetConfig = { channels, plugins: extras.retargetPlugins, map: extras.morphMap };
  try {
    checkRetargetConfig(retarget);
  } catch (e) {
    throw new NogginError('head', `the head profile ${path} is invalid (${(e as Error).message})`, 'fix the profile');
  }
  return { profile, retarget };
}

/** Names of the shipped heads (core/head-catalog.ts). */
export async function listShippedHeads(): Promise<string[]> {
  return listHeads().map((h) => h.name);
}

/**
 * Resolves `--head NAME|FILE` with core/head-catalog.ts (shipped names, profile .json, or a
 * model file with its sibling profile), reads the render extras of the profile, and checks
 * the model file. A file without a profile gets no anchor: the loader fits it (VRM: from
 * its head bone; glTF: from its bounding box, with a warning).
 */
export async function resolveHead(request: string, opts: { profilePath?: string; limits?: HeadLimits } = {}): Promise<HeadSource> {
  const limits = opts.limits ?? DEFAULT_HEAD_LIMITS;
  let entry: HeadEntry;
  try {
    entry = resolveCatalogHead(request);
  } catch (e) {
    if (e instanceof NogginError) throw new NogginError('head', e.problem, e.fix, e.exitCode);
    throw e;
  }
  const modelPath = resolve(entry.file);
  const profilePath = opts.profilePath ? resolve(opts.profilePath) : (entry.profilePath ?? null);
  let profile: ParsedHeadProfile | null = null;
  let retarget: RetargetConfig = {};
  if (profilePath) ({ profile, retarget } = await readProfile(profilePath));
  const file = await checkHeadFile(modelPath, limits);
  return { request, modelPath, file, profile, profilePath, retarget };
}

/** URL path (on the page host) the head's model is served at. */
export function headRoute(head: HeadSource): string {
  return `/head/${encodeURIComponent(basename(head.modelPath))}`;
}

/** `files` entries for startPageHost: the model, and for a .gltf its external files. */
export function headHostFiles(head: HeadSource): Record<string, string> {
  const files: Record<string, string> = { [headRoute(head)]: head.modelPath };
  const dir = dirname(head.modelPath);
  for (const f of head.file.externalFiles) {
    const rel = f.slice(dir.length + 1).split('/').map(encodeURIComponent).join('/');
    files[`/head/${rel}`] = f;
  }
  return files;
}

/** The render page's head spec for a resolved head served at `baseUrl`. */
export function headSpec(head: HeadSource, baseUrl: string, limits: HeadLimits = DEFAULT_HEAD_LIMITS): RenderHeadSpec {
  const p = head.profile;
  return {
    url: baseUrl + headRoute(head),
    fileName: basename(head.modelPath),
    anchor: p ? { originCm: p.anchor.originCm as [number, number, number], unitsPerCm: p.anchor.unitsPerCm, yawDeg: p.anchor.yawDeg ?? 0 } : null,
    ...(p?.bounds ? { boundsCm: { minCm: p.bounds.minCm as [number, number, number], maxCm: p.bounds.maxCm as [number, number, number] } } : {}),
    colors: p?.colors ?? {},
    ...(p?.neck ? { clipBelowCm: p.neck.bottomCm[1] } : {}),
    retarget: head.retarget,
    maxTextureSide: limits.maxTextureSide,
    maxVertices: limits.maxVertices,
  };
}
