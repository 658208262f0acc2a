/**
 * The studio's jobs folder: `videos/<id>/` (uploads and their metadata) and `jobs/<id>/`
 * (each export's files and `job.json`). Metadata is written to a temporary name and
 * renamed, so a crash never leaves a half-written record.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { tempPathFor } from '../../core/track-file.js';

/** The default jobs folder: `$XDG_CACHE_HOME/noggin/jobs`, else `~/.cache/noggin/jobs`. */
export function defaultJobsDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(cache, 'noggin', 'jobs');
}

/** A fresh id for a video, upload or job: 16 lower-case hex digits. */
export function newId(): string {
  return randomBytes(8).toString('hex');
}

/** True for strings `newId` could have made (guards ids taken from URLs). Pure. */
export function isId(s: string): boolean {
  return /^[0-9a-f]{16}$/.test(s);
}

/** Writes JSON to `path` through a temporary sibling and a rename. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const temp = tempPathFor(path);
  try {
    await writeFile(temp, JSON.stringify(value, null, 1) + '\n', { flag: 'wx' });
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

/** Reads a JSON file; undefined when missing or unreadable. */
export async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The sub-folders of `dir` named like ids (none when `dir` is missing). */
export async function idFolders(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory() && isId(d.name)).map((d) => d.name).sort();
  } catch {
    return [];
  }
}

/** The folder layout under one jobs folder. */
export class JobsDir {
  constructor(readonly root: string) {}

  /** Creates `videos/` and `jobs/`. */
  async init(): Promise<void> {
    await mkdir(join(this.root, 'videos'), { recursive: true });
    await mkdir(join(this.root, 'jobs'), { recursive: true });
  }

  /** Folder of one video (uploaded file and `video.json`). */
  video(id: string): string {
    return join(this.root, 'videos', id);
  }

  /** Folder of one job (`job.json`, `profile.json`, and `out/` with its outputs). */
  job(id: string): string {
    return join(this.root, 'jobs', id);
  }
}
