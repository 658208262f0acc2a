#!/usr/bin/env -S node --initial-old-space-size=128
/** The `noggin` command: one binary, one subcommand per pipeline stage. */
import { Command, CommanderError } from 'commander';
import { asNogginError } from '../core/errors.js';
import { setLogLevel } from '../core/log.js';
import { installSignalHandlers, isShuttingDown, runCleanups } from '../system/cleanup.js';
import { registerCapture } from './commands/capture.js';
import { registerHeads } from './commands/heads.js';
import { registerServe } from './commands/serve.js';
import { registerStudio } from './commands/studio.js';
import { registerLive } from './commands/live.js';
import { registerRender } from './commands/render.js';
import { registerComposite } from './commands/composite.js';
import { registerRun } from './commands/run.js';
import { registerSetup } from './commands/setup.js';
import { OPTIONS, option } from './options.js';

const program = new Command('noggin')
  .description('put a 3D mascot head on a person in video')
  .addOption(option(OPTIONS.logLevel))
  .showHelpAfterError()
  .exitOverride();
program.hook('preAction', (cmd) => setLogLevel(cmd.opts().logLevel ?? 'warn'));
registerRun(program);
registerCapture(program);
registerRender(program);
registerComposite(program);
registerHeads(program);
registerServe(program);
registerStudio(program);
registerLive(program);
registerSetup(program);

// Exit 13 means a promise was left pending with nothing else to do: never exit silently.
process.on('exit', (code) => {
  if (code === 13) process.stderr.write('noggin internal: the command stopped before finishing. Fix: run again with --log-level debug and report the output.\n');
});

installSignalHandlers((signal) => `noggin: interrupted by ${signal}; partial output was removed. Fix: re-run the command.`);

try {
  await program.parseAsync(process.argv);
  await runCleanups();
} catch (e) {
  if (e instanceof CommanderError) {
    await runCleanups();
    process.exit(e.exitCode === 0 ? 0 : 2);
  }
  if (isShuttingDown()) await new Promise(() => undefined);
  const err = asNogginError(e);
  await runCleanups();
  process.stderr.write(err.oneLine() + '\n');
  process.exit(err.exitCode);
}
