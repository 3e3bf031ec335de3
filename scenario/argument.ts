import { readFileSync } from 'node:fs';
import type { ScenarioFile } from './scenario-file.js';

/** The --scenario file could not be read. */
export class ScenarioFileError extends Error {}
ScenarioFileError.prototype.name = 'ScenarioFileError';

/**
 * Reads a `--scenario` argument: inline JSON when it starts with "{" (one scenario) or "[" (a
 * list), `-` for standard input (as kubectl's `-f -`), otherwise the path of a krkn scenario file.
 * @param stdin reads standard input; @default the process's file descriptor 0
 * @throws ScenarioFileError when the file cannot be read.
 */
export function readScenarioArgument(value: string, stdin: () => string = () => readFileSync(0, 'utf8')): ScenarioFile {
  const trimmed = value.trim();
  if (value === '-') {
    try {
      return { path: 'standard input', text: stdin() };
    } catch (e) {
      throw new ScenarioFileError(`cannot read the scenario from standard input: ${(e as Error).message}`);
    }
  }
  if (trimmed.startsWith('{')) return { path: 'inline --scenario', text: `[${trimmed}]`, inline: true };
  if (trimmed.startsWith('[')) return { path: 'inline --scenario', text: trimmed, inline: true };
  try {
    return { path: value, text: readFileSync(value, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioFileError(`cannot read scenario file ${value}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}
