/** Where noggin's own files are, resolved from this module (works from dist/ and source). */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'core'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('noggin: cannot find the project root from ' + fileURLToPath(import.meta.url));
}

/** The project root (folder of package.json). */
export const PROJECT_ROOT = findRoot();
/** Bundled browser pages (output of scripts/build-pages). */
export const PAGES_DIR = join(PROJECT_ROOT, 'dist', 'pages');
/** MediaPipe tasks-vision WASM files. */
export const MEDIAPIPE_WASM_DIR = join(PROJECT_ROOT, 'node_modules', '@mediapipe', 'tasks-vision', 'wasm');
/** Shipped glTF heads. */
export const HEADS_DIR = join(PROJECT_ROOT, 'assets', 'heads');
/** Shipped VRM avatars. */
export const VRM_DIR = join(PROJECT_ROOT, 'assets', 'vrm');
/** Default location of the landmarker model. */
export const DEFAULT_MODEL_PATH = join(PROJECT_ROOT, 'assets', 'models', 'face_landmarker.task');

/** Resolves a user path against the current directory. */
export function userPath(p: string): string {
  return resolve(process.cwd(), p);
}
