/** `noggin live`: start the bridge with the studio page and open its Live tab (head-swap camera). */
import type { Command } from 'commander';
import { registerStudioCommand } from './studio.js';

/** Registers the command. */
export function registerLive(program: Command): void {
  registerStudioCommand(program, 'live', "open the live head-swap camera in the browser (the studio page's Live tab; starts the bridge like `serve`)", 'live');
}
