/**
 * `vmi-network-filter step …`: the container entrypoints the workflows run. Wiring only; each
 * step is a command of its own under steps/commands/.
 */
import { Command } from 'commander';
import type { Io } from '../core/io.js';
import { fanOutCommand } from '../steps/commands/fan-out.js';
import { injectCommand } from '../steps/commands/inject.js';
import { reportCommand } from '../steps/commands/report.js';
import { rollbackCommand } from '../steps/commands/rollback.js';
import { selectCommand } from '../steps/commands/select.js';
import { sweepCommand } from '../steps/commands/sweep.js';
import { verdictCommand } from '../steps/commands/verdict.js';
import { verifyCommand } from '../steps/commands/verify.js';
import { clusterCheck } from '../steps/commands/verify-cluster.js';
import { onsetCheck } from '../steps/commands/verify-onset.js';

export function stepCommand(io: Io): Command {
  return new Command('step')
    .description('run one workflow step (container entrypoint); logs JSON lines, writes its result to --out')
    .addCommand(selectCommand(io))
    .addCommand(injectCommand(io))
    .addCommand(verifyCommand(io, [onsetCheck, clusterCheck(io)]))
    .addCommand(rollbackCommand(io))
    .addCommand(fanOutCommand(io))
    .addCommand(sweepCommand(io))
    .addCommand(verdictCommand(io))
    .addCommand(reportCommand(io));
}
