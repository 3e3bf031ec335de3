#!/usr/bin/env node
// Thin shim: the compiled CLI owns argument parsing, output and the exit code.
import process from 'node:process';
import { run } from '../dist/cli/main.js';

// `vmi-network-filter generate argo | head`: a closed pipe is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
process.exitCode = await run(process.argv.slice(2));
