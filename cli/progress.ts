/**
 * Progress output: a bar on a terminal (stderr), plain lines otherwise, JSON lines on
 * stdout with --json.
 */
import cliProgress from 'cli-progress';

/** A progress reporter for one stage. */
export interface Progress {
  /** Reports `done` of `total` units with extra values (fps, faces...). */
  update(done: number, total: number, extra?: Record<string, number | string>): void;
  /** Ends the bar and prints the final line / JSON event. */
  finish(summary: Record<string, unknown>): void;
  /** Stops the bar without a summary (on error). */
  stop(): void;
}

/** Creates a reporter for `stage` in the mode the flags and terminal ask for. */
export function createProgress(stage: string, json: boolean): Progress {
  if (json) {
    let last = 0;
    return {
      update(done, total, extra = {}) {
        const now = Date.now();
        if (done < total && now - last < 250) return;
        last = now;
        process.stdout.write(JSON.stringify({ event: 'progress', stage, done, total, ...extra }) + '\n');
      },
      finish(summary) {
        process.stdout.write(JSON.stringify({ event: 'done', stage, ...summary }) + '\n');
      },
      stop() {},
    };
  }
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${stage} [{bar}] {percentage}% | {value}/{total} frames | {fps} fps | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total, extra = {}) {
        if (!started) {
          bar.start(total, 0, { fps: '0' });
          started = true;
        }
        bar.setTotal(total);
        bar.update(done, { ...extra, fps: typeof extra.fps === 'number' ? extra.fps.toFixed(1) : '0' });
      },
      finish(summary) {
        if (started) bar.stop();
        process.stderr.write(`${stage}: ${Object.entries(summary).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = 0;
  return {
    update(done, total, extra = {}) {
      const now = Date.now();
      if (done < total && now - last < 2000) return;
      last = now;
      const fps = typeof extra.fps === 'number' ? `, ${extra.fps.toFixed(1)} fps` : '';
      process.stderr.write(`${stage}: ${done}/${total} frames${fps}\n`);
    },
    finish(summary) {
      process.stderr.write(`${stage}: ${Object.entries(summary).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
    },
    stop() {},
  };
}
