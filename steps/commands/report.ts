import { Command } from 'commander';
import type { Io } from '../../generator/io.js';
import { stepLogger } from '../log.js';
import { writeResult } from '../result.js';

/**
 * `step report`: the exit handler's last word, a summary line of how the run ended. The
 * workflow's own status carries the verdict, so this step succeeds whatever it reports.
 */
export function reportCommand(io: Io): Command {
  return new Command('report')
    .description('log how the run ended (exit handler)')
    .requiredOption('--status <status>', 'workflow status: Succeeded, Failed or Error')
    .option('--workflow <name>', 'workflow name')
    .option('--run-id <id>', 'run id (workflow uid)')
    .option('--out <file>', 'write the report JSON to FILE')
    .action((options: { status: string; workflow?: string; runId?: string; out?: string }) => {
      const report = {
        workflow: options.workflow ?? null,
        runId: options.runId ?? null,
        status: options.status,
        succeeded: options.status === 'Succeeded',
      };
      stepLogger(io, 'report').log(report.succeeded ? 'info' : 'warn', `run ${report.succeeded ? 'succeeded' : 'did not succeed'}; every selected VMI was rolled back by the exit handler`, report);
      writeResult(options.out, report);
    });
}
