/**
 * `vmi-network-filter step …`: the container entrypoints the workflows run. Wiring only; each
 * step is a command of its own under commands/.
 */
import { Command } from 'commander';
import type { Io } from '../generator/io.js';
import { injectCommand } from './commands/inject.js';
import { reportCommand } from './commands/report.js';
import { rollbackCommand } from './commands/rollback.js';
import { sweepCommand } from './commands/sweep.js';
import { verifyCommand } from './commands/verify.js';

/** Placeholder for a step whose issue is still open: fails loudly, never pretends to work. */
function pending(name: string, issue: string): Command {
  return new Command(name)
    .description(`(not built yet: ${issue})`)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(() => {
      throw Object.assign(new Error(`step ${name} is not built yet (${issue})`), { exitCode: 1 });
    });
}

export function stepCommand(io: Io): Command {
  return new Command('step')
    .description('run one workflow step (container entrypoint); logs JSON lines, writes its result to --out')
    .addCommand(pending('select', 'issue #4: selecting VMIs through the Kubernetes API'))
    .addCommand(injectCommand(io))
    .addCommand(verifyCommand(io))
    .addCommand(rollbackCommand(io))
    .addCommand(sweepCommand(io))
    .addCommand(reportCommand(io));
}
