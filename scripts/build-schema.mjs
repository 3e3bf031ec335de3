#!/usr/bin/env node
// Precompiles the Argo schema validators (Ajv standalone code) into dist/, part of `npm run build`.
// Compiling the 600 KB schema takes ~0.5 s per process; loading the precompiled code, a few ms.
// generator/schema-validate.ts compiles at run time when this file is absent (e.g. under vitest
// without a build), with the same options, so both paths judge alike.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = new URL('../', import.meta.url);
const schema = JSON.parse(readFileSync(new URL('schemas/argo-workflows.schema.json', root), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, code: { source: true } });
ajv.addSchema(schema, 'argo');
const kinds = ['Workflow', 'WorkflowTemplate', 'CronWorkflow'];
const code = standaloneCode.default(ajv, Object.fromEntries(kinds.map((k) => [k, `argo#/definitions/io.argoproj.workflow.v1alpha1.${k}`])));
mkdirSync(new URL('dist/', root), { recursive: true });
writeFileSync(new URL('dist/argo-schema-validators.cjs', root), code);
