// Preloaded into the measured `step select` process (node --import): writes its peak resident
// set size (KiB, from getrusage) to $VMI_BENCH_RSS_FILE when it exits.
import { writeFileSync } from 'node:fs';
import process from 'node:process';

const file = process.env.VMI_BENCH_RSS_FILE;
process.on('exit', () => {
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS));
});
