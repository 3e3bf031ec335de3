/**
 * Control characters, which no scenario value or key may hold and no message may print raw: C0
 * controls (NUL, tab, line feed, carriage return, escape…), DEL, C1 controls, and the Unicode
 * line and paragraph separators, which YAML 1.1 and terminals take as line breaks. Each could
 * forge a line of a message or of the emitted YAML, or recolor a terminal.
 */
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/** `text` with every control character written as `\uXXXX`, for a message. */
export function escapeControls(text: string): string {
  return text.replace(new RegExp(CONTROL_CHARACTER.source, 'gu'), (c) => `\\u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
}
