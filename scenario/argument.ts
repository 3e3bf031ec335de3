import { readFileSync } from 'node:fs';
import type { ScenarioFile } from './scenario-file.js';

/** The --scenario file could not be read. */
export class ScenarioFileError extends Error {}
ScenarioFileError.prototype.name = 'ScenarioFileError';

/**
 * Reads a `--scenario` argument: inline JSON when it starts with "{" (one scenario) or "[" (a
 * list), otherwise the path of a krkn scenario file.
 * @throws ScenarioFileError when the file cannot be read.
 */
export function readScenarioArgument(value: string): ScenarioFile {
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) return { path: 'inline --scenario', text: `[${trimmed}]`, inline: true };
  if (trimmed.startsWith('[')) return { path: 'inline --scenario', text: trimmed, inline: true };
  try {
    return { path: value, text: readFileSync(value, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioFileError(`cannot read scenario file ${value}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}
