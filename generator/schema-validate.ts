/**
 * Validation of emitted Argo objects against the Argo Workflows JSON schema (v4.1, shipped in
 * `schemas/`). `npm run build` precompiles the validators (scripts/build-schema.mjs) because
 * compiling the 600 KB schema costs about half a second per process; without a build (tests on
 * the sources) the schema is compiled here, once per process, with the same options.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ajv2020 as Ajv, ErrorObject } from 'ajv/dist/2020.js';
import { PACKAGE_ROOT } from '../core/package-root.js';

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

const KINDS = ['Workflow', 'WorkflowTemplate', 'CronWorkflow'] as const;
const PRECOMPILED = join(PACKAGE_ROOT, 'dist', 'argo-schema-validators.cjs');
const SCHEMA_FILE = join(PACKAGE_ROOT, 'schemas', 'argo-workflows.schema.json');

let validators: Readonly<Record<string, Validator>> | undefined;

function loadValidators(): Readonly<Record<string, Validator>> {
  const require = createRequire(import.meta.url);
  if (existsSync(PRECOMPILED)) return require(PRECOMPILED) as Record<string, Validator>;
  // Ajv itself is loaded only here: the precompiled path needs just its small runtime.
  const { Ajv2020 } = require('ajv/dist/2020.js') as { Ajv2020: typeof Ajv };
  // The schema uses OpenAPI keywords and formats Ajv does not know: not strict, no formats.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object, 'argo');
  return Object.fromEntries(KINDS.map((k) => [k, ajv.getSchema(`argo#/definitions/io.argoproj.workflow.v1alpha1.${k}`)!]));
}

/** Schema violations of one Argo object, as "path: message" lines (empty when valid). */
export function argoSchemaProblems(object: unknown): string[] {
  const kind = (object as { kind?: unknown } | null)?.kind;
  validators ??= loadValidators();
  const validate = typeof kind === 'string' && (KINDS as readonly string[]).includes(kind) ? validators[kind] : undefined;
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
