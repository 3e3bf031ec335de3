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
// A step that left rules in a kernel keeps intercepting SIGTERM/SIGINT until the process ends
// (steps/commands/inject.ts). Node's own teardown after the event loop drains restores the
// default handlers before the process is gone, so a stop request in those last milliseconds
// would end it by the signal (143: "stopped and undone") with the rules installed. Exiting here,
// with the handlers still in place, leaves no such window. Only then: elsewhere the event loop
// ends the process as usual.
if (process.listenerCount('SIGTERM') > 0) process.exit(process.exitCode);
