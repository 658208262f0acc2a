/**
 * The heads noggin ships: glTF mascots (assets/heads/NAME.glb + NAME.json profile) and VRM
 * avatars (assets/vrm/NAME.vrm, with an optional NAME.json profile). `listHeads` lists them,
 * `resolveHead` turns a `--head NAME|FILE` argument into a file and profile. Node only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NogginError } from './errors.js';
import { type ParsedHeadProfile, HeadProfileSchema } from './head-profile.js';

export interface HeadEntry {
  /** Short id (`--head NAME`). */
  name: string;
  displayName: string;
  description?: string;
  kind: 'glb' | 'vrm';
  /** Absolute path of the model file. */
  file: string;
  /** Absolute path of the profile, when there is one. */
  profilePath?: string;
  /** The validated profile; VRMs without a profile get a default one. */
  profile: ParsedHeadProfile;
}

/** The project root: the nearest folder above this module with a package.json. */
export function findProjectRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new NogginError('heads', `no package.json above ${start}`, 'run noggin from its installed folder');
    dir = up;
  }
}

/** Reads and validates a head profile JSON file. */
export function loadHeadProfile(path: string): ParsedHeadProfile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new NogginError('heads', `cannot read head profile ${path}: ${(e as Error).message}`, 'check the file is valid JSON');
  }
  const r = HeadProfileSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new NogginError('heads', `invalid head profile ${path}: ${issue.path.join('.')}: ${issue.message}`, 'fix the profile (see core/head-profile.ts)');
  }
  return r.data;
}

/** The JSON chunk of a .glb/.vrm file. */
export function readGlbJson(path: string): Record<string, unknown> {
  const buf = readFileSync(path);
  if (buf.length < 20 || buf.readUInt32LE(0) !== 0x46546c67) {
    throw new NogginError('heads', `${path} is not a binary glTF (.glb/.vrm) file`, 'pass a .glb or .vrm file');
  }
  const len = buf.readUInt32LE(12);
  return JSON.parse(buf.subarray(20, 20 + len).toString('utf8')) as Record<string, unknown>;
}

function vrmTitle(path: string): string | undefined {
  try {
    const json = readGlbJson(path);
    const ext = (json.extensions ?? {}) as Record<string, { meta?: { name?: string; title?: string } }>;
    return ext.VRMC_vrm?.meta?.name ?? ext.VRM?.meta?.title;
  } catch {
    return undefined;
  }
}

function defaultVrmProfile(path: string): ParsedHeadProfile {
  const name = basename(path, extname(path)).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'vrm';
  return HeadProfileSchema.parse({
    format: 'noggin-head',
    version: 1,
    name,
    displayName: vrmTitle(path) ?? name,
    kind: 'vrm',
    file: basename(path),
    anchor: { originCm: [0, 0, 0], unitsPerCm: 0.01 },
  });
}

function entryFromProfile(profilePath: string, profile: ParsedHeadProfile): HeadEntry {
  return {
    name: profile.name,
    displayName: profile.displayName,
    description: profile.description,
    kind: profile.kind,
    file: resolve(dirname(profilePath), profile.file),
    profilePath,
    profile,
  };
}

/** Every shipped head: glb mascots first, then VRM avatars, each sorted by name. */
export function listHeads(root: string = findProjectRoot()): HeadEntry[] {
  const out: HeadEntry[] = [];
  for (const sub of ['heads', 'vrm']) {
    const dir = join(root, 'assets', sub);
    if (!existsSync(dir)) continue;
    const files = readdirSync(dir).sort();
    const claimed = new Set<string>();
    for (const f of files.filter((x) => x.endsWith('.json'))) {
      const p = join(dir, f);
      const profile = loadHeadProfile(p);
      const e = entryFromProfile(p, profile);
      claimed.add(e.file);
      out.push(e);
    }
    for (const f of files.filter((x) => x.toLowerCase().endsWith('.vrm'))) {
      const p = join(dir, f);
      if (claimed.has(p)) continue;
      const profile = defaultVrmProfile(p);
      out.push({ name: profile.name, displayName: profile.displayName, kind: 'vrm', file: p, profile });
    }
  }
  return out;
}

/**
 * Resolves `--head NAME|FILE`: a shipped head's name, a profile .json, or a .glb/.vrm file
 * (its profile is the .json beside it when there is one).
 */
export function resolveHead(arg: string, root: string = findProjectRoot()): HeadEntry {
  const ext = extname(arg).toLowerCase();
  if (ext === '.json' || ext === '.glb' || ext === '.vrm' || ext === '.gltf') {
    const p = resolve(arg);
    if (!existsSync(p)) throw new NogginError('heads', `head file ${arg} does not exist`, 'check the path, or pass a name from `noggin heads`');
    if (ext === '.json') return entryFromProfile(p, loadHeadProfile(p));
    const beside = p.slice(0, -ext.length) + '.json';
    if (existsSync(beside)) {
      const profile = loadHeadProfile(beside);
      if (resolve(dirname(beside), profile.file) === p) return entryFromProfile(beside, profile);
    }
    if (ext === '.vrm') {
      const profile = defaultVrmProfile(p);
      return { name: profile.name, displayName: profile.displayName, kind: 'vrm', file: p, profile };
    }
    const name = basename(p, ext);
    return {
      name, displayName: name, kind: 'glb', file: p,
      profile: HeadProfileSchema.parse({
        format: 'noggin-head', version: 1, name: name.toLowerCase().replace(/[^a-z0-9-]+/g, '-') || 'head',
        displayName: name, kind: 'glb', file: basename(p), anchor: { originCm: [0, 0, 0], unitsPerCm: 1 },
      }),
    };
  }
  const heads = listHeads(root);
  const hit = heads.find((h) => h.name === arg.toLowerCase());
  if (!hit) {
    throw new NogginError('heads', `no head named "${arg}"`, `use one of: ${heads.map((h) => h.name).join(', ') || '(none built)'}, or a .glb/.vrm file`);
  }
  return hit;
}
