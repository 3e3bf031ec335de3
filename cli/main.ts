/**
 * The `vmi-network-filter` command: wiring only. Each command lives in its own file; this root
 * adds them and owns the one error handler that turns failures into messages and exit codes:
 *   0 success, 1 runtime failure, 2 bad input (scenario problems, usage errors).
 * Nothing else in the program sets the exit code or calls process.exit.
 */
import { Command, CommanderError } from 'commander';
import { ScenarioError, ScenarioFileError } from '../scenario/index.js';
import { stepCommand } from './step.js';
import { planCommand } from './commands/plan.js';
import { validateCommand } from './commands/validate.js';
import { generateArgoCommand } from './commands/generate-argo.js';
import { generateRbacCommand } from './commands/generate-rbac.js';
import { generateTektonCommand } from './commands/generate-tekton.js';
import { submitCommand } from './commands/submit.js';
import { watchCommand } from './commands/watch.js';
import { UsageError } from '../core/errors.js';
import { processIo, type Io } from '../core/io.js';
import { VERSION } from '../core/version.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

function program(io: Io): Command {
  const root = new Command('vmi-network-filter')
    .description('Cut selected network traffic of KubeVirt VMs for a while, then restore it: krkn vmi_network_filter scenarios as Argo Workflows and Tekton steps.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .addCommand(validateCommand(io))
    .addCommand(
      new Command('generate')
        .description('render the scenario for a workflow engine, or the RBAC it needs')
        .addCommand(generateArgoCommand(io))
        .addCommand(generateTektonCommand(io))
        .addCommand(generateRbacCommand(io)),
    )
    .addCommand(submitCommand(io))
    .addCommand(watchCommand(io))
    .addCommand(stepCommand(io))
    .addCommand(planCommand(io));
  // Every (sub)command: no process.exit, output through io, exit codes decided in run().
  const configure = (command: Command): void => {
    command.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
    command.commands.forEach(configure);
  };
  configure(root);
  root.helpCommand(false).addCommand(helpCommand(root, io));
  return root;
}

/**
 * `help [command...]`: the help of any (sub)command, `help generate argo` included (commander's
 * own help command looks one level down only).
 */
function helpCommand(root: Command, io: Io): Command {
  return new Command('help')
    .description('show the help of a command, e.g. help generate argo')
    .argument('[command...]', 'the command, with its subcommands')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .action((names: string[]) => {
      let command = root;
      for (const name of names) {
        const next = command.commands.find((c) => c.name() === name || c.aliases().includes(name));
        if (next === undefined) {
          const known = command.commands.map((c) => c.name()).filter((n) => n !== 'help');
          throw new UsageError(`unknown command "${[...names.slice(0, names.indexOf(name)), name].join(' ')}"; the commands${command === root ? '' : ` of ${command.name()}`} are: ${known.join(', ')}`);
        }
        command = next;
      }
      command.outputHelp();
    });
}

/**
 * Runs the CLI with `argv` (without node and script), writing through `io`.
 * @returns the exit status.
 */
export async function run(argv: readonly string[], io: Io = processIo): Promise<number> {
  try {
    await program(io).parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (e) {
    return report(e, io);
  }
}

function report(e: unknown, io: Io): number {
  if (e instanceof CommanderError) {
    // help and --version end with exit code 0; usage errors were already printed by commander
    return e.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
  }
  if (e instanceof ScenarioError) {
    io.err(`${e.message}\n`);
    return EXIT_BAD_INPUT;
  }
  if (e instanceof UsageError || e instanceof ScenarioFileError) {
    io.err(`error: ${e.message}\n`);
    return EXIT_BAD_INPUT;
  }
  const error = e instanceof Error ? e : new Error(String(e));
  io.err(`error: ${error.message}\n`);
  if (io.env.VMI_NETWORK_FILTER_DEBUG) io.err(`${error.stack ?? ''}\n`);
  return typeof (error as { exitCode?: unknown }).exitCode === 'number' ? (error as unknown as { exitCode: number }).exitCode : EXIT_FAILURE;
}
