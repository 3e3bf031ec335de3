#!/usr/bin/env node
// Regenerates workflows/ from workflows/scenarios/ (run through `npm run examples`, after a build).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EXAMPLES_DIR, renderExamples } from '../dist/generator/examples.js';
import { VERSION } from '../dist/core/version.js';

for (const [path, text] of renderExamples(VERSION)) {
  const file = join(EXAMPLES_DIR, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`wrote workflows/${path}`);
}
