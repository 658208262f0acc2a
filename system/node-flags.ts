/**
 * V8 flags noggin's long-running Node processes start with (`noggin`'s shebang repeats them;
 * a test keeps the two equal).
 *
 * `--initial-old-space-size`: a run streams hundreds of megabytes of frame buffers, crops
 * and typed arrays through Node. Their external memory made V8 start a full mark-compact
 * about every 0.4 s while the live heap stayed near 20 MB (28 per presenter-4 run, 0.5 s of
 * main-thread time); with this floor under the old generation there are 3, and the heap
 * still peaks near 25 MB.
 */
export const NODE_FLAGS: readonly string[] = ['--initial-old-space-size=128'];

/** Whether this process was started with NODE_FLAGS. */
export function hasNodeFlags(): boolean {
  return NODE_FLAGS.every((f) => process.execArgv.includes(f));
}
