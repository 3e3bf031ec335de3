/**
 * Rendering in memory: scenarios → template → objects → checks → YAML text. Nothing here writes
 * files or prints; the CLI commands do that in one place.
 */
import type { Scenario } from '../scenario/index.js';
import { buildArgoContext, type ArgoOptions } from './argo/context.js';
import { lintArgo } from './argo/lint.js';
import { argoSchemaProblems } from './schema-validate.js';
import { compileTemplate, type TemplateSetOptions } from './template-engine.js';
import { fromYaml, toYaml, toYamlWithComments } from './yaml.js';

/** The emitted objects failed the schema or the lint: a bug in a template, never printed. */
export class OutputValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the generated output failed validation, so it was not printed:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}
OutputValidationError.prototype.name = 'OutputValidationError';

export interface Rendered {
  readonly objects: readonly unknown[];
  readonly yaml: string;
}

/**
 * Renders the scenarios as one Argo object of `options.kind`, checked against the Argo schema and
 * the semantic lint.
 * @throws OutputValidationError when a check fails; TemplateError when a template is broken.
 */
export function renderArgo(scenarios: readonly Scenario[], options: ArgoOptions & TemplateSetOptions): Rendered {
  const text = compileTemplate('argo', 'workflow', options)(buildArgoContext(scenarios, options));
  const objects = fromYaml(text);
  const problems = objects.flatMap((o) => [...argoSchemaProblems(o).map((p) => `schema: ${p}`), ...lintArgo(o).map((p) => `lint: ${p}`)]);
  if (objects.length !== 1) problems.push(`expected one Argo object, the template produced ${objects.length}`);
  if (problems.length > 0) throw new OutputValidationError(problems);
  return { objects, yaml: toYaml(objects) };
}

/** The workflow engines RBAC can be rendered for. */
export type RbacEngine = 'argo' | 'tekton';
export const RBAC_ENGINES: readonly RbacEngine[] = ['argo', 'tekton'];

export interface RbacOptions extends TemplateSetOptions {
  /** @default 'vmi-network-filter' */
  readonly name?: string;
  /** Namespace of the ServiceAccount (where workflows run). @default 'argo' */
  readonly namespace?: string;
  /** Engine whose step pods use the account (Argo's executor needs one more rule). @default 'argo' */
  readonly engine?: RbacEngine;
}

/** ServiceAccount, ClusterRole, ClusterRoleBinding, Role and RoleBinding for the step pods, each rule with its reason as a comment. */
export function renderRbac(options: RbacOptions = {}): Rendered {
  const name = options.name ?? 'vmi-network-filter';
  const namespace = options.namespace ?? 'argo';
  const text = compileTemplate('rbac', 'rbac', options)({
    name,
    namespace,
    // One binding per workflow namespace: applying the RBAC of a second namespace must not take
    // the first one's away (a shared binding name did, found on the real test cluster).
    bindingName: `${name}-${namespace}`,
    argo: (options.engine ?? 'argo') === 'argo',
  });
  const objects = fromYaml(text);
  // Each rule's reason, a comment of the template, stays in the YAML people apply and review.
  return { objects, yaml: toYamlWithComments(text) };
}
