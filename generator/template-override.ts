/**
 * Checks a `--templates` folder before anything is rendered with it. Templates are overridden
 * file by file at the built-in paths, and a path that names no built-in file is never read: a
 * folder that does not exist, or whose files are misnamed, would silently render the built-in
 * templates instead of the user's. So such a folder is refused.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_TEMPLATES } from './template-engine.js';

/** The built-in top-level templates of `group` (`argo/workflow.yaml.hbs`, …), as relative paths. */
function builtinTemplates(group: string): string[] {
  return readdirSync(join(BUILTIN_TEMPLATES, group), { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => `${group}/${entry.name}`)
    .sort();
}

/**
 * Why `dir` cannot override the templates of `group` (argo, tekton, rbac), or undefined: it does
 * not exist, is not a folder, holds a file directly under `<group>/` that replaces no built-in
 * one, or holds no template of the group at all. New partials (`<group>/partials/*.hbs`) are
 * fine: an overridden template may use them.
 */
export function templateOverrideProblem(dir: string, group: string): string | undefined {
  let isFolder: boolean;
  try {
    isFolder = statSync(dir).isDirectory();
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (e as Error).message;
  }
  if (!isFolder) return 'not a folder';
  const builtin = builtinTemplates(group);
  const expected = `${builtin.join(', ')}, ${group}/partials/<name>.hbs`;
  const list = (relative: string): { name: string; file: boolean }[] => {
    try {
      return readdirSync(join(dir, relative), { withFileTypes: true }).map((entry) => ({ name: entry.name, file: !entry.isDirectory() }));
    } catch {
      return [];
    }
  };
  const top = list(group).filter((entry) => entry.file).map((entry) => `${group}/${entry.name}`).sort();
  const stray = top.find((path) => !builtin.includes(path));
  if (stray) return `${stray} replaces no built-in template (${expected})`;
  const partials = list(join(group, 'partials')).filter((entry) => entry.file && entry.name.endsWith('.hbs'));
  if (top.length === 0 && partials.length === 0) {
    return `holds no template of generate ${group}; it overrides the built-in templates file by file, at their paths (${expected})`;
  }
  return undefined;
}
