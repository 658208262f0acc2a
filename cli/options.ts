/**
 * Every command-line option, defined once: flag, default, documentation and parser.
 * Commands pick from this table; README's option tables follow it.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { availableParallelism } from 'node:os';
import { DEFAULT_ANALYSIS_FACE_PX } from '../capture/analysis-scale.js';
import { SMOOTHING_MODES } from '../capture/smoothing/index.js';
import { modelPath } from '../system/tools.js';
import { ANTIALIAS_MODES } from '../core/page-contract.js';
import { LIGHTING_MODES } from '../render/footage-lighting.js';
import { DEFAULT_RUN_WORKERS } from '../composite/run-job.js';

/** One option's definition. */
export interface OptionSpec {
  /** Commander flags, e.g. `-o, --output <file>`. */
  readonly flags: string;
  /** What it does (shown in --help and README). */
  readonly doc: string;
  /** Default value (shown in --help). */
  readonly default?: unknown;
  /** Allowed values. */
  readonly choices?: readonly string[];
  /** Parser for the raw string. */
  readonly parse?: (raw: string) => unknown;
}

function intIn(min: number, max: number) {
  return (raw: string) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

function numIn(min: number, max: number) {
  return (raw: string) => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`expected a number from ${min} to ${max}`);
    return n;
  };
}

/** Default landmarker workers: one per core, at most 4. */
export const DEFAULT_WORKERS = Math.max(1, Math.min(4, availableParallelism()));

/** The option table. */
export const OPTIONS = {
  output: { flags: '-o, --output <file>', doc: 'output file (default: next to the input, with the command\'s extension)' },
  csv: { flags: '--csv <file>', doc: 'also write the blendshapes as a Live Link Face CSV' },
  smoothing: {
    flags: '--smoothing <mode>',
    doc: 'offline: zero-lag Kalman RTS smoother; live: causal One Euro filter; none: raw landmarker output',
    default: 'offline',
    choices: SMOOTHING_MODES,
  },
  fillGaps: { flags: '--fill-gaps <frames>', doc: 'fill runs of at most this many faceless frames by interpolation (0: never)', default: 5, parse: intIn(0, 1000) },
  workers: { flags: '--workers <n>', doc: 'landmarkers run in parallel on segments of the clip', default: DEFAULT_WORKERS, parse: intIn(1, 16) },
  runWorkers: {
    flags: '--workers <n>',
    doc: 'landmarkers run in parallel on segments of the clip (half the cores: the render and the encoder run at the same time)',
    default: DEFAULT_RUN_WORKERS,
    parse: intIn(1, 16),
  },
  maxAnalysisSide: { flags: '--analysis-size <px>', doc: 'long side of the frames given to the landmarker (larger frames are scaled down)', default: 1280, parse: intIn(256, 4096) },
  analysisFace: {
    flags: '--analysis-face <px>',
    doc: 'scale the landmarker\'s frames down further while the face stays at least this tall (px; 0: always --analysis-size)',
    default: DEFAULT_ANALYSIS_FACE_PX,
    parse: intIn(0, 4096),
  },
  minDetectionConfidence: { flags: '--min-detection-confidence <x>', doc: 'minimum face detection confidence, 0..1', default: 0.5, parse: numIn(0, 1) },
  model: { flags: '--model <file>', doc: 'face_landmarker.task to use (env NOGGIN_MODEL)', default: undefined as string | undefined },
  publish: { flags: '--publish <url>', doc: 'also stream the track to a bridge session, e.g. http://127.0.0.1:8790/talk1 (token: ?token= or NOGGIN_BRIDGE_TOKEN)' },
  head: { flags: '--head <name|file>', doc: 'mascot: a shipped head name (see `noggin heads`) or a .glb/.gltf/.vrm file (its profile is the .json beside it)' },
  layerOutput: { flags: '-o, --output <file>', doc: 'alpha layer to write (.mov; default: the track\'s name with .layer.mov)' },
  pngDir: { flags: '--png-dir <dir>', doc: 'also write the layer as a PNG sequence (frame_000000.png...) into this new or empty folder' },
  layerCodec: { flags: '--codec <codec>', doc: 'layer codec: prores (ProRes 4444 with alpha, what editors expect) or png (lossless PNG-in-MOV)', default: 'prores', choices: ['prores', 'png'] },
  noMov: { flags: '--no-mov', doc: 'write only the PNG sequence (with --png-dir), no .mov' },
  profile: { flags: '--profile <file>', doc: 'head profile JSON to use instead of the one beside the head file' },
  align: {
    flags: '--align <mode>',
    doc: "lining up with the presenter: refit (calibrate to this face, then correct each frame to the landmarks), calibrate (per-clip correction only) or none (MediaPipe's pose as is)",
    default: 'refit',
    choices: ['refit', 'calibrate', 'none'],
  },
  materials: { flags: '--materials <kind>', doc: "fast: Blinn-Phong versions of the head's materials (about 2x faster without a GPU); pbr: the file's PBR materials as authored", default: 'fast', choices: ['fast', 'pbr'] },
  antialias: {
    flags: '--antialias <mode>',
    doc: "anti-aliasing of the head's edges: edges (smooths the outline after readback, nearly free), msaa (multisampling of every edge, about 2x the render time without a GPU), none",
    default: 'edges',
    choices: ANTIALIAS_MODES,
  },
  lighting: {
    flags: '--lighting <mode>',
    doc: "footage: light the head like the presenter (key light direction, contrast, exposure and colour cast estimated from the video's first faces); studio: noggin's fixed lighting",
    default: 'footage',
    choices: LIGHTING_MODES,
  },
  session: { flags: '--session <url>', doc: 'render frames from a bridge session while they are captured (e.g. http://127.0.0.1:8790/talk1) instead of a track file; needs -o' },
  track: { flags: '--track <file>', doc: 'the face track of VIDEO (from `noggin capture`)' },
  videoOutput: { flags: '-o, --output <file>', doc: 'output video (.mp4; .mov and .mkv also work; default VIDEO.HEAD.mp4)' },
  crf: { flags: '--crf <n>', doc: 'quality for h264/h265, 0-51 (lower is better)', default: 18, parse: intIn(0, 51) },
  preset: { flags: '--preset <preset>', doc: 'x264/x265 speed preset', default: 'veryfast', choices: ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'] },
  videoCodec: { flags: '--codec <codec>', doc: 'output codec: h264 (yuv420p), h265, or prores (needs .mov)', default: 'h264', choices: ['h264', 'h265', 'prores'] },
  sheet: { flags: '--sheet', doc: 'also write contact sheets (one frame per second, source beside result) as OUT.sheet[-N].png' },
  keepTrack: { flags: '--keep-track', doc: "cache the face track next to the output, keyed by the video's content hash, so another head on the same video skips capture" },
  plateSamples: { flags: '--plate-samples <n>', doc: 'frames used to rebuild the background behind the head', default: 24, parse: intIn(2, 500) },
  json: { flags: '--json', doc: 'print machine-readable progress as JSON lines on stdout' },
  logLevel: { flags: '--log-level <level>', doc: 'log detail on stderr (debug shows every ffmpeg and Chromium command line)', default: 'warn', choices: ['trace', 'debug', 'info', 'warn', 'error', 'silent'] },
  setupModel: { flags: '--model <file>', doc: 'install the model from this local file instead of downloading it' },
  setupCheck: { flags: '--check', doc: 'only check what is installed; change nothing' },
  allowOtherModel: { flags: '--allow-other-model', doc: 'accept a model whose sha256 differs from the official one' },
  noOpen: { flags: '--no-open', doc: 'do not open a browser; only print the address of the page' },
  jobsDir: { flags: '--jobs-dir <dir>', doc: 'studio: folder for uploaded videos and export jobs (default $XDG_CACHE_HOME/noggin/jobs or ~/.cache/noggin/jobs)' },
  maxUploadMb: { flags: '--max-upload-mb <n>', doc: 'studio: largest video upload accepted, in MiB', default: 2048, parse: intIn(1, 1048576) },
} as const satisfies Record<string, OptionSpec>;

/** Options of `noggin capture`: how the face is tracked. */
export const CAPTURE_OPTIONS = ['smoothing', 'fillGaps', 'workers', 'maxAnalysisSide', 'analysisFace', 'minDetectionConfidence', 'model'] as const satisfies readonly (keyof typeof OPTIONS)[];

/** The same for `noggin run`, whose capture shares the cores with the render and the encoder. */
export const RUN_CAPTURE_OPTIONS = ['smoothing', 'fillGaps', 'runWorkers', 'maxAnalysisSide', 'analysisFace', 'minDetectionConfidence', 'model'] as const satisfies readonly (keyof typeof OPTIONS)[];

/** Options `noggin render` and `noggin run` share: how the head is lined up and drawn. */
export const HEAD_OPTIONS = ['profile', 'align', 'antialias', 'lighting'] as const satisfies readonly (keyof typeof OPTIONS)[];

/** Adds the options named by `keys` (in that order) to a command. */
export function addOptions(cmd: Command, keys: readonly (keyof typeof OPTIONS)[]): Command {
  for (const k of keys) cmd.addOption(option(OPTIONS[k]));
  return cmd;
}

/** Builds a commander Option from a spec. */
export function option(spec: OptionSpec): Option {
  const o = new Option(spec.flags, spec.doc);
  if (spec.choices) o.choices(spec.choices);
  if (spec.parse) o.argParser(spec.parse);
  if (spec.default !== undefined) o.default(spec.default);
  return o;
}

/** The model path: --model, else NOGGIN_MODEL, else assets/models/face_landmarker.task. */
export function resolveModel(fromFlag: string | undefined): string {
  return fromFlag ?? modelPath();
}
