/**
 * `vmi-network-filter step …`: the container entrypoints the workflows run. Wiring only; each
 * step is a command of its own under commands/.
 */
import { Command } from 'commander';
import type { Io } from '../generator/io.js';
import { injectCommand } from './commands/inject.js';
import { reportCommand } from './commands/report.js';
import { rollbackCommand } from './commands/rollback.js';
import { selectCommand } from './commands/select.js';
import { sweepCommand } from './commands/sweep.js';
import { verdictCommand } from './commands/verdict.js';
import { verifyCommand } from './commands/verify.js';
import { clusterCheck } from './commands/verify-cluster.js';

export function stepCommand(io: Io): Command {
  return new Command('step')
    .description('run one workflow step (container entrypoint); logs JSON lines, writes its result to --out')
    .addCommand(selectCommand(io))
    .addCommand(injectCommand(io))
    .addCommand(verifyCommand(io, [clusterCheck(io)]))
    .addCommand(rollbackCommand(io))
    .addCommand(sweepCommand(io))
    .addCommand(verdictCommand(io))
    .addCommand(reportCommand(io));
}
