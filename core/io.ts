/**
 * The one place commands write: text to stdout or to the --output-file file, diagnostics to stderr.
 * Commands receive an Io so tests can capture output without spawning.
 */
import { writeFileSync } from 'node:fs';
import process from 'node:process';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
};

/** Writes `text` to `file` when given (creating or replacing it), else to io.out. */
export function emit(io: Io, text: string, file?: string): void {
  if (file && file !== '-') writeFileSync(file, text);
  else io.out(text);
}
