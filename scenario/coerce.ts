/**
 * krknctl / krkn-hub string conventions: flags and environment variables are strings, so
 * integers, booleans and lists arrive as text. These coercers turn such text (or the YAML value
 * of a scenario file) into the value the schema checks; anything they do not understand is
 * passed through unchanged so that the schema reports it.
 */
import { Yaml11Float, Yaml11Timestamp } from './pyyaml-tags.js';

export function coerceInteger(value: unknown): unknown {
  if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) return Number(value.trim());
  return value;
}

/** true/false in any case, as krknctl's boolean flags and krkn-hub's env parsing accept. */
export function coerceBoolean(value: unknown): unknown {
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return value;
}

/**
 * A list from a YAML sequence, a comma-separated string ("53,80"), or a JSON/Python-style list
 * string ('["a:NoSchedule"]', krkn-hub's TAINTS example). Blanks around items are dropped, and
 * so are empty items: "" is the empty list.
 */
export function coerceList(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    for (const candidate of [text, text.replace(/'/g, '"')]) {
      try {
        const parsed: unknown = JSON.parse(candidate);
        if (Array.isArray(parsed)) return parsed.map((v) => (typeof v === 'string' ? v.trim() : v));
      } catch {
        // not JSON: fall through to the next spelling, then to comma splitting
      }
    }
  }
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** A list whose items are integers or strings of digits (ports). */
export function coerceIntegerList(value: unknown): unknown {
  const list = coerceList(value);
  return Array.isArray(list) ? list.map(coerceInteger) : list;
}

/**
 * Renders a value for an error message: strings quoted, YAML 1.1 floats and dates as written,
 * the rest as JSON.
 */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value instanceof Yaml11Float) return value.source;
  if (value instanceof Yaml11Timestamp) return `${value.source} (a date, as YAML 1.1 reads it)`;
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
