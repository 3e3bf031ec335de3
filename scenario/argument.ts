import { closeSync, openSync, readSync } from 'node:fs';
import { MAX_FILE_BYTES, MAX_TOTAL_BYTES } from './limits.js';
import type { ScenarioFile } from './scenario-file.js';
import { decodeUtf8 } from './utf8.js';

/** The --scenario file could not be read. */
export class ScenarioFileError extends Error {}
ScenarioFileError.prototype.name = 'ScenarioFileError';

const KIB = (bytes: number): string => (bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`);
const TOO_LARGE = `it holds more than ${MAX_FILE_BYTES} bytes (${KIB(MAX_FILE_BYTES)}), the most a scenario file may hold`;

/** Reads at most `limit + 1` bytes of `fd`: enough to know it holds more than `limit`. */
function readBounded(fd: number, limit: number): Uint8Array {
  const buffer = Buffer.alloc(limit + 1);
  let length = 0;
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buffer, length, buffer.length - length, null);
    } catch (e) {
      // Standard input in non-blocking mode (a terminal, some pipes) says "try again".
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw e;
    }
    if (n === 0) return buffer.subarray(0, length);
    length += n;
    if (length > limit) return buffer.subarray(0, length);
  }
}

/** A file's bytes as text. @throws ScenarioFileError (`what` names it) when they are too many or not UTF-8. */
function textOf(bytes: Uint8Array, what: string): string {
  if (bytes.length > MAX_FILE_BYTES) throw new ScenarioFileError(`${what}: ${TOO_LARGE}`);
  const text = decodeUtf8(bytes);
  if (typeof text === 'string') return text;
  const byte = `0x${text.byte.toString(16).toUpperCase().padStart(2, '0')}`;
  throw new ScenarioFileError(`${what}: it is not UTF-8: the byte ${byte} at offset ${text.offset} (line ${text.line}) does not decode; save the file as UTF-8`);
}

/** Reads standard input (file descriptor 0), at most one byte past the bound. */
function readStdin(): Uint8Array {
  return readBounded(0, MAX_FILE_BYTES);
}

/**
 * Reads a `--scenario` argument: inline JSON when it starts with "{" (one scenario) or "[" (a
 * list), `-` for standard input (as kubectl's `-f -`), otherwise the path of a krkn scenario file.
 * A file is read as bytes, at most MAX_FILE_BYTES of them, and decoded as strict UTF-8.
 * @param stdin reads standard input; @default the process's file descriptor 0, bounded
 * @throws ScenarioFileError when the file cannot be read, is too large or is not UTF-8.
 */
export function readScenarioArgument(value: string, stdin: () => Uint8Array | string = readStdin): ScenarioFile {
  const trimmed = value.trim();
  if (value === '-') {
    let bytes: Uint8Array | string;
    try {
      bytes = stdin();
    } catch (e) {
      throw new ScenarioFileError(`cannot read the scenario from standard input: ${(e as Error).message}`);
    }
    const text = typeof bytes === 'string' ? textOf(Buffer.from(bytes, 'utf8'), 'cannot read the scenario from standard input') : textOf(bytes, 'cannot read the scenario from standard input');
    return { path: 'standard input', text };
  }
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    if (Buffer.byteLength(trimmed) > MAX_FILE_BYTES) throw new ScenarioFileError(`inline --scenario: ${TOO_LARGE}`);
    return { path: 'inline --scenario', text: trimmed.startsWith('{') ? `[${trimmed}]` : trimmed, inline: true };
  }
  let bytes: Uint8Array;
  try {
    const fd = openSync(value, 'r');
    try {
      bytes = readBounded(fd, MAX_FILE_BYTES);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioFileError(`cannot read scenario file ${value}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return { path: value, text: textOf(bytes, `cannot read scenario file ${value}`) };
}

/**
 * Reads every `--scenario` argument, in order, within MAX_TOTAL_BYTES together.
 * @throws ScenarioFileError as readScenarioArgument, and when the arguments hold too much together.
 */
export function readScenarioArguments(values: readonly string[], stdin?: () => Uint8Array | string): ScenarioFile[] {
  let total = 0;
  return values.map((value) => {
    const file = readScenarioArgument(value, stdin);
    total += Buffer.byteLength(file.text);
    if (total > MAX_TOTAL_BYTES) {
      const what = value === '-' ? 'cannot read the scenario from standard input' : file.inline ? 'inline --scenario' : `cannot read scenario file ${value}`;
      throw new ScenarioFileError(`${what}: the --scenario files hold more than ${MAX_TOTAL_BYTES} bytes (${KIB(MAX_TOTAL_BYTES)}) together, the most one command reads`);
    }
    return file;
  });
}
