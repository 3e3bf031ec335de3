import { writeFileSync } from 'node:fs';

/**
 * Writes a step's result JSON to --out (the file an Argo output parameter or a Tekton result
 * reads). Written whole, once, at the end of the step.
 */
export function writeResult(file: string | undefined, result: unknown): void {
  if (file) writeFileSync(file, `${JSON.stringify(result)}\n`);
}
