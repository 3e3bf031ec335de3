/**
 * Handlebars set up for emitting YAML for workflow engines: strict (a missing field is an
 * error, not an empty string), no HTML escaping, and two helpers that keep user data and engine
 * expressions apart:
 *   q       a value as a double-quoted YAML scalar; refuses "{{" and "$(".
 *   argo    an Argo expression `{{path}}` built from fixed path pieces, never from user data.
 *   argoIntPlus  an Argo expression adding a number to an integer variable (a timeout from
 *           a workflow parameter): `{{=asInt(workflow.parameters['expiry-grace']) + 240}}`.
 *   tekton  a Tekton expression `$(path)` built the same way (`params.ports`,
 *           `tasks.select.results.nodes[*]`, `context.pipelineRun.uid`).
 * plus `eq` and `list` for the loops and conditions of the templates.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { templateExpressionProblem } from '../scenario/index.js';
import { PACKAGE_ROOT } from '../core/package-root.js';

/** The templates shipped with the tool (`templates/` at the package root). */
export const BUILTIN_TEMPLATES = join(PACKAGE_ROOT, 'templates');

export class TemplateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
TemplateError.prototype.name = 'TemplateError';

/** A quoted YAML scalar (JSON strings are YAML). Numbers and booleans become strings too. */
function quote(value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new TemplateError(`helper q: expected a string, number or boolean, got ${typeof value}`);
  }
  const text = String(value);
  const problem = templateExpressionProblem(text);
  if (problem) throw new TemplateError(`refusing to emit a value that ${problem.replace(/^"[^]*" /, '')}: ${JSON.stringify(text)}`);
  return JSON.stringify(text);
}

const ARGO_PATH = /^[A-Za-z][A-Za-z0-9_.-]*$/;

function argoExpression(...args: unknown[]): string {
  const parts = args.slice(0, -1); // the last argument is Handlebars' options object
  const path = parts.map(String).join('');
  if (!ARGO_PATH.test(path)) throw new TemplateError(`helper argo: "${path}" is not a variable path`);
  return `{{${path}}}`;
}

function argoIntPlus(...args: unknown[]): string {
  const parts = args.slice(0, -1);
  const addend = parts.pop();
  const path = parts.map(String).join('');
  if (typeof addend !== 'number' || !Number.isInteger(addend) || addend < 0) throw new TemplateError(`helper argoIntPlus: the last argument must be an integer >= 0, not ${JSON.stringify(addend)}`);
  const dot = path.lastIndexOf('.');
  const [scope, name] = [path.slice(0, dot), path.slice(dot + 1)];
  if (!ARGO_PATH.test(scope) || !GLOBAL_NAME.test(name)) throw new TemplateError(`helper argoIntPlus: "${path}" is not a variable path`);
  return `{{=asInt(${scope}['${name}']) + ${addend}}}`;
}

const GLOBAL_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

// A dotted path, optionally ending in one array index or the whole-array `[*]` (Tekton's syntax
// for array params and results); nothing else, so no quote, space or `)` can end the expression.
const TEKTON_PATH = /^[A-Za-z][A-Za-z0-9_.-]*(\[(\*|\d+)\])?$/;

function tektonExpression(...args: unknown[]): string {
  const path = args.slice(0, -1).map(String).join('');
  if (!TEKTON_PATH.test(path)) throw new TemplateError(`helper tekton: "${path}" is not a variable path`);
  return `$(${path})`;
}

export interface TemplateSetOptions {
  /**
   * A folder that overrides the built-in templates file by file (same relative paths, e.g.
   * `argo/workflow.yaml.hbs`, `argo/partials/vmi.hbs`).
   * @default the built-in templates only
   */
  readonly overrideDir?: string;
}

/**
 * Compiles `<group>/<name>.yaml.hbs` with the partials of `<group>/partials/`.
 * @throws TemplateError when a template is missing or does not compile.
 */
export function compileTemplate(group: string, name: string, options: TemplateSetOptions = {}): (context: object) => string {
  const hb = Handlebars.create();
  hb.registerHelper('q', quote);
  hb.registerHelper('argo', argoExpression);
  hb.registerHelper('argoIntPlus', argoIntPlus);
  hb.registerHelper('tekton', tektonExpression);
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('list', (...args: unknown[]) => args.slice(0, -1));
  const pick = (relative: string): string => {
    const override = options.overrideDir ? join(options.overrideDir, relative) : undefined;
    return override && existsSync(override) ? override : join(BUILTIN_TEMPLATES, relative);
  };
  const partialNames = new Set<string>();
  for (const dir of [join(BUILTIN_TEMPLATES, group, 'partials'), ...(options.overrideDir ? [join(options.overrideDir, group, 'partials')] : [])]) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) if (file.endsWith('.hbs')) partialNames.add(basename(file, '.hbs'));
  }
  for (const partial of partialNames) {
    hb.registerPartial(partial, readFileSync(pick(join(group, 'partials', `${partial}.hbs`)), 'utf8'));
  }
  const file = pick(join(group, `${name}.yaml.hbs`));
  let template: HandlebarsTemplateDelegate;
  try {
    template = hb.compile(readFileSync(file, 'utf8'), { strict: true, noEscape: true });
  } catch (e) {
    throw new TemplateError(`cannot read template ${file}: ${(e as Error).message}`, { cause: e });
  }
  return (context) => {
    try {
      return template(context);
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      throw new TemplateError(`template ${file} failed: ${(e as Error).message}`, { cause: e });
    }
  };
}
