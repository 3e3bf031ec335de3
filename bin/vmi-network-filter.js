#!/usr/bin/env node
// Thin shim: the compiled CLI owns argument parsing, output and the exit code.
import { run } from '../dist/generator/cli.js';

process.exitCode = await run(process.argv.slice(2));
