/**
 * Validation of emitted Argo objects against the Argo Workflows JSON schema (v4.1, shipped in
 * `schemas/`). The schema is compiled lazily, once per process, per kind.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { PACKAGE_ROOT } from './package-root.js';

const SCHEMA_FILE = join(PACKAGE_ROOT, 'schemas', 'argo-workflows.schema.json');
const DEFINITION_OF: Readonly<Record<string, string>> = {
  Workflow: 'io.argoproj.workflow.v1alpha1.Workflow',
  WorkflowTemplate: 'io.argoproj.workflow.v1alpha1.WorkflowTemplate',
  CronWorkflow: 'io.argoproj.workflow.v1alpha1.CronWorkflow',
};

let ajv: Ajv2020 | undefined;
const validators = new Map<string, ValidateFunction>();

function validatorFor(kind: string): ValidateFunction | undefined {
  const definition = DEFINITION_OF[kind];
  if (!definition) return undefined;
  let validate = validators.get(kind);
  if (!validate) {
    if (!ajv) {
      // The schema uses OpenAPI keywords and formats Ajv does not know: not strict, no formats.
      ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
      ajv.addSchema(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object, 'argo');
    }
    validate = ajv.getSchema(`argo#/definitions/${definition}`)!;
    validators.set(kind, validate);
  }
  return validate;
}

/** Schema violations of one Argo object, as "path: message" lines (empty when valid). */
export function argoSchemaProblems(object: unknown): string[] {
  const kind = (object as { kind?: unknown } | null)?.kind;
  const validate = typeof kind === 'string' ? validatorFor(kind) : undefined;
  if (!validate) return [`kind ${JSON.stringify(kind)} is not an Argo kind this tool emits`];
  if (validate(object)) return [];
  return (validate.errors ?? []).map((e) => {
    const detail = e.keyword === 'enum' || e.keyword === 'const' ? ` ${JSON.stringify(e.params)}` : '';
    return `${withTemplateName(object, e.instancePath || '/')}: ${e.message ?? 'is invalid'}${detail}`;
  });
}

/** "/spec/templates/11/…" → "/spec/templates/11(report)/…": a name a person can look for. */
function withTemplateName(object: unknown, path: string): string {
  return path.replace(/^(\/spec(?:\/workflowSpec)?\/templates\/)(\d+)/, (whole, prefix: string, index: string) => {
    const spec = (object as { spec?: { templates?: { name?: string }[]; workflowSpec?: { templates?: { name?: string }[] } } }).spec;
    const name = (spec?.workflowSpec?.templates ?? spec?.templates)?.[Number(index)]?.name;
    return name ? `${prefix}${index}(${name})` : whole;
  });
}
