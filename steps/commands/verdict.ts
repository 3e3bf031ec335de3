import { Command } from 'commander';
import type { Io } from '../../generator/io.js';
import { stepLogger } from '../log.js';

/** inject or verify did not succeed: the branch must fail even though its rollback succeeded. */
export class FaultNotHeldError extends Error {
  readonly exitCode = 1;
  constructor(
    readonly vmi: string,
    readonly injectStatus: string,
    readonly verifyStatus: string,
  ) {
    super(`the fault on ${vmi} did not hold (inject ${injectStatus}, verify ${verifyStatus}); its rules were rolled back`);
  }
}
FaultNotHeldError.prototype.name = 'FaultNotHeldError';

/**
 * `step verdict`: the last task of a VMI's branch, run only when inject or verify did not
 * succeed. Argo judges a DAG by its leaf tasks, and the leaf `rollback` succeeds after a failed
 * verify (it depends on `verify.Failed`), so without this step a lost fault (a VMI that migrated
 * during the hold) would end in a Succeeded workflow.
 */
export function verdictCommand(io: Io): Command {
  return new Command('verdict')
    .description("fail a VMI's branch whose inject or verify did not succeed, after its rollback")
    .requiredOption('--target <json>', "the VMI: one element of select's output (only its namespace and name are read)")
    .requiredOption('--inject <status>', 'Argo status of the inject task')
    .requiredOption('--verify <status>', 'Argo status of the verify task')
    .action((options: { target: string; inject: string; verify: string }) => {
      const log = stepLogger(io, 'verdict').log;
      const vmi = vmiName(options.target);
      if (options.inject === 'Succeeded' && options.verify === 'Succeeded') {
        log('info', `the fault on ${vmi} held and was verified`, { vmi });
        return;
      }
      const error = new FaultNotHeldError(vmi, options.inject, options.verify);
      log('error', error.message, { vmi, inject: options.inject, verify: options.verify });
      throw error;
    });
}

/** "namespace/name" of a target JSON; the text itself when it is not one (the message must still say something). */
function vmiName(target: string): string {
  try {
    const t = JSON.parse(target) as { namespace?: unknown; name?: unknown };
    if (typeof t.namespace === 'string' && typeof t.name === 'string') return `${t.namespace}/${t.name}`;
  } catch {
    // not JSON: fall through
  }
  return target;
}
