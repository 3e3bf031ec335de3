/** The `--templates DIR` option of the generate commands: checked before anything is rendered. */
import { UsageError } from '../../core/errors.js';
import { templateOverrideProblem } from '../../generator/template-override.js';

/**
 * The template override folder named by `--templates`, as the renderers take it.
 * @param group the templates the command renders: argo, tekton or rbac.
 * @throws UsageError when the folder cannot override them (missing, not a folder, misnamed files).
 */
export function templatesOf(options: Readonly<Record<string, unknown>>, group: string): { overrideDir?: string } {
  const dir = options.templates;
  if (typeof dir !== 'string') return {};
  const problem = templateOverrideProblem(dir, group);
  if (problem) throw new UsageError(`--templates ${dir}: ${problem}`);
  return { overrideDir: dir };
}
