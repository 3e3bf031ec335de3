/**
 * Text the API sent, made safe to print in a message or a log: at most `max` characters, in
 * double quotes, with quotes, backslashes, control characters and everything outside ASCII
 * escaped (`\n`, `\"`, `\u00b7`). A name or an answer from a broken server can then never
 * break a line, forge a log entry or carry a template expression into a terminal unescaped.
 */

/** `text` quoted and escaped; cut to `max` characters (with "…" when cut, unless `cut` is false). */
export function printable(text: string, max = 64, options: { readonly ellipsis?: boolean } = {}): string {
  const chars = Array.from(text);
  const head = chars.length > max ? chars.slice(0, max).join('') + (options.ellipsis === false ? '' : '\u2026') : text;
  return JSON.stringify(head).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
