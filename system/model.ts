/**
 * The MediaPipe Face Landmarker model: locating and checking it, and installing it from the
 * official URL or a local file (sha256-checked). Nothing here runs at capture time except
 * `checkModel`, which never touches the network.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { NogginError } from '../core/errors.js';
import { log } from '../core/log.js';
import { tempPathFor } from '../core/track-file.js';
import { modelPath } from './tools.js';

/** Official download URL of the float16 Face Landmarker model. */
export const MODEL_URL =
  'https://storage.googleapis.com/mediapipe-models/face_landmarker/face_landmarker/float16/1/face_landmarker.task';
/** sha256 of the official model file. */
export const MODEL_SHA256 = '64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff';

const REQUIRED_ENTRIES = ['face_detector.tflite', 'face_landmarks_detector.tflite', 'face_blendshapes.tflite'];

/**
 * Checks that the model file exists and is a complete `.task` bundle (a zip holding the
 * detector, landmarks and blendshapes models). Returns its path.
 */
export async function checkModel(path = modelPath()): Promise<string> {
  const fix = 'run `noggin setup` (downloads the official model) or `noggin setup --model FILE`, or set NOGGIN_MODEL';
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    throw new NogginError('model', `the face landmarker model is missing at ${path}`, fix);
  }
  if (size < 1024) throw new NogginError('model', `${path} is ${size} bytes, not a face landmarker model`, fix);
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(16);
    await fh.read(head, 0, 16, 0);
    const tailLen = Math.min(size, 65536);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    // The official file has two bytes before its first zip entry.
    const isZip = head.includes(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    const hasEnd = tail.includes(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    const missing = REQUIRED_ENTRIES.filter((n) => !tail.includes(Buffer.from(n)));
    if (!isZip || !hasEnd || missing.length) {
      const why = !isZip ? 'not a .task bundle' : !hasEnd ? 'truncated' : `lacks ${missing.join(', ')}`;
      throw new NogginError('model', `${path} is broken (${why})`, fix);
    }
  } finally {
    await fh.close();
  }
  return path;
}

/** sha256 of a file, hex. */
export async function sha256File(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/**
 * Installs the model at `dest`: copied from `localFile` when given, otherwise downloaded
 * from MODEL_URL. The sha256 must match (unless `allowOtherHash`); written atomically.
 */
export async function installModel(dest = modelPath(), localFile?: string, allowOtherHash = false): Promise<string> {
  await mkdir(dirname(dest), { recursive: true });
  const tmp = tempPathFor(dest);
  try {
    if (localFile) {
      await copyFile(localFile, tmp).catch((e: NodeJS.ErrnoException) => {
        throw new NogginError('setup', `cannot read ${localFile} (${e.code ?? e.message})`, 'give the path of a face_landmarker.task file');
      });
    } else {
      log.info(`downloading ${MODEL_URL}`);
      let res: Response;
      try {
        res = await fetch(MODEL_URL);
      } catch (e) {
        throw new NogginError('setup', `cannot download the model (${(e as Error).message})`, `download ${MODEL_URL} by hand and run \`noggin setup --model FILE\``);
      }
      if (!res.ok) throw new NogginError('setup', `model download answered HTTP ${res.status}`, `download ${MODEL_URL} by hand and run \`noggin setup --model FILE\``);
      await writeFile(tmp, Buffer.from(await res.arrayBuffer()));
    }
    const hash = await sha256File(tmp);
    if (hash !== MODEL_SHA256 && !allowOtherHash) {
      throw new NogginError('setup', `model sha256 is ${hash}, expected ${MODEL_SHA256}`, 'use the official float16 face_landmarker.task (or pass --allow-other-model)');
    }
    await checkModel(tmp);
    await rename(tmp, dest);
    return dest;
  } finally {
    await rm(tmp, { force: true });
  }
}
