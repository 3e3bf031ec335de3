/**
 * CPython's `re._parser.Tokenizer`, kept token for token: a token is one character or a backslash
 * and the character after it, positions count code points (as Python counts str characters), so
 * error positions equal Python's.
 */
import { PythonRegexError } from './errors.js';

export class Tokenizer {
  readonly pattern: string;
  private readonly chars: readonly string[];
  private index = 0;
  /** The current token, or null at the end of the pattern. */
  next: string | null = null;

  constructor(pattern: string) {
    this.pattern = pattern;
    this.chars = Array.from(pattern);
    this.advance();
  }

  private advance(): void {
    let index = this.index;
    const char = this.chars[index];
    if (char === undefined) {
      this.next = null;
      return;
    }
    let token = char;
    if (char === '\\') {
      index += 1;
      const escaped = this.chars[index];
      if (escaped === undefined) throw new PythonRegexError(this.pattern, 'bad escape (end of pattern)', this.chars.length - 1);
      token += escaped;
    }
    this.index = index + 1;
    this.next = token;
  }

  /** Consumes `token` when it is next. */
  match(token: string): boolean {
    if (token === this.next) {
      this.advance();
      return true;
    }
    return false;
  }

  get(): string | null {
    const token = this.next;
    this.advance();
    return token;
  }

  /** Up to `n` tokens drawn from `charset`. */
  getWhile(n: number, charset: string): string {
    let result = '';
    for (let i = 0; i < n; i++) {
      const c = this.next;
      if (c === null || c.length !== 1 || !charset.includes(c)) break;
      result += c;
      this.advance();
    }
    return result;
  }

  /** The text up to `terminator` (consumed), as group names and `\N{…}` are read. */
  getUntil(terminator: string, name: string): string {
    let result = '';
    for (;;) {
      const c = this.next;
      this.advance();
      if (c === null) {
        if (!result) throw this.error(`missing ${name}`);
        throw this.error(`missing ${terminator}, unterminated name`, Array.from(result).length);
      }
      if (c === terminator) {
        if (!result) throw this.error(`missing ${name}`, 1);
        break;
      }
      result += c;
    }
    return result;
  }

  /** The position of the current token. */
  tell(): number {
    return this.index - (this.next === null ? 0 : Array.from(this.next).length);
  }

  seek(index: number): void {
    this.index = index;
    this.advance();
  }

  /** Python's `source.error(msg, offset)`: the position is `tell() - offset`. */
  error(reason: string, offset = 0): PythonRegexError {
    return new PythonRegexError(this.pattern, reason, this.tell() - offset);
  }

  /** A group name must be a Python identifier. */
  checkGroupName(name: string, offset: number): void {
    if (!isIdentifier(name)) throw this.error(`bad character in group name ${pyRepr(name)}`, Array.from(name).length + offset);
  }
}

/** `str.isidentifier()`: XID_Start or `_`, then XID_Continue. */
export function isIdentifier(name: string): boolean {
  return /^[\p{XID_Start}_][\p{XID_Continue}]*$/u.test(name);
}

/** Python's `repr()` of a str, enough for the names and texts in error messages. */
export function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = '';
  for (const c of text) {
    const cp = c.codePointAt(0) ?? 0;
    if (c === '\\') out += '\\\\';
    else if (c === quote) out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else out += c;
  }
  return `${quote}${out}${quote}`;
}
