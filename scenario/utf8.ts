/**
 * Strict UTF-8 decoding of a scenario file. Node's `readFileSync(path, 'utf8')` replaces every
 * byte that does not decode with U+FFFD, so a Latin-1 file would run with a name nobody wrote;
 * PyYAML (krkn) refuses such a file. Here it is refused too, at the first byte that does not
 * decode.
 */

/** Where a file stops being UTF-8. */
export interface Utf8Failure {
  /** 0-based offset of the first byte that does not decode. */
  readonly offset: number;
  /** 1-based line of that byte. */
  readonly line: number;
  readonly byte: number;
}

/** `bytes` as text, or where they stop being UTF-8. A byte order mark is kept (the reader skips it). */
export function decodeUtf8(bytes: Uint8Array): string | Utf8Failure {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const offset = firstInvalidOffset(bytes);
    let line = 1;
    for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
    return { offset, line, byte: bytes[offset] ?? 0 };
  }
}

/**
 * The offset of the first byte that does not decode. A streaming decoder takes a prefix that
 * ends inside a sequence (it waits for the rest), so the shortest prefix it refuses is found by
 * bisection; the byte that made it fail, or the lead byte of the sequence it broke, is the
 * answer. When every prefix is taken, the file ends inside a sequence: its lead byte.
 */
function firstInvalidOffset(bytes: Uint8Array): number {
  const takes = (end: number): boolean => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  if (takes(bytes.length)) return sequenceStart(bytes, bytes.length);
  let good = 0;
  let bad = bytes.length;
  while (bad - good > 1) {
    const middle = (good + bad) >>> 1;
    if (takes(middle)) good = middle;
    else bad = middle;
  }
  return sequenceStart(bytes, bad - 1);
}

/**
 * Where the sequence that `at` would continue starts: the lead byte (11xxxxxx) of an unfinished
 * sequence just before `at`; `at` itself when there is none.
 */
function sequenceStart(bytes: Uint8Array, at: number): number {
  for (let i = at - 1; i >= Math.max(0, at - 3); i--) {
    const b = bytes[i]!;
    if ((b & 0xc0) === 0xc0) return at - i < (b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2) ? i : at;
    if ((b & 0xc0) !== 0x80) break;
  }
  return Math.min(at, bytes.length - 1);
}
