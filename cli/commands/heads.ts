/** `noggin heads [--json]`: list the shipped mascots (assets/heads, assets/vrm). */
import type { Command } from 'commander';
import { listHeads } from '../../core/head-catalog.js';
import { HEADS_DIR, PROJECT_ROOT } from '../../system/paths.js';
import { relative } from 'node:path';
import { OPTIONS, option } from '../options.js';

/** Registers the command. */
export function registerHeads(program: Command): void {
  program
    .command('heads')
    .description('list the shipped mascot heads (use the name with --head)')
    .addOption(option(OPTIONS.json))
    .action((o: { json?: boolean }) => {
      const heads = listHeads(PROJECT_ROOT);
      if (o.json) {
        process.stdout.write(JSON.stringify(heads.map((h) => ({ name: h.name, displayName: h.displayName, kind: h.kind, file: h.file, description: h.description }))) + '\n');
        return;
      }
      const w = Math.max(...heads.map((h) => h.name.length), 4);
      for (const h of heads) {
        process.stdout.write(`${h.name.padEnd(w)}  ${h.kind.padEnd(3)}  ${h.displayName}${h.description ? ` - ${h.description}` : ''}  (${relative(PROJECT_ROOT, h.file)})\n`);
      }
      if (!heads.length) process.stdout.write(`no heads found in ${HEADS_DIR}\n`);
    });
}
