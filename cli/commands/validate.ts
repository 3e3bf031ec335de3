import { Command } from 'commander';
import { stringify } from 'yaml';
import type { Io } from '../../core/io.js';
import { addScenarioOptions, scenariosFromOptions } from './scenario-options.js';

/** `validate`: print the normalized scenario(s), or every problem (exit 2). */
export function validateCommand(io: Io): Command {
  return addScenarioOptions(
    new Command('validate')
      .description('check a scenario (file, flags, environment) and print it normalized, defaults filled in')
      .addHelpText('after', '\nExit status: 0 valid, 2 invalid (every problem is listed).'),
  ).action((options: Record<string, unknown>) => {
    // Keys in the order of the scenario documentation, not sorted: this is for people.
    io.out(stringify(scenariosFromOptions(options, io), { version: '1.1' }));
  });
}
