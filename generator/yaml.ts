/**
 * Deterministic YAML for emitted manifests: `apiVersion`, `kind`, `metadata` first and `name`
 * first in every mapping (how people read manifests), all other keys sorted, so the same input
 * always gives the same bytes (golden files, the stale-examples check). YAML 1.1 output, because
 * older parsers (and kubectl's) read `yes`/`on` as booleans: the writer quotes such strings.
 */
import { parseAllDocuments, stringify } from 'yaml';

const FIRST = ['apiVersion', 'kind', 'metadata', 'name'];

function rank(key: string): number {
  const i = FIRST.indexOf(key);
  return i < 0 ? FIRST.length : i;
}

function ordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ordered);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(
      ([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0),
    );
    return Object.fromEntries(entries.map(([k, v]) => [k, ordered(v)]));
  }
  return value;
}

/** Serializes objects as a multi-document YAML stream. */
export function toYaml(objects: readonly unknown[]): string {
  return objects
    .map((o) => stringify(ordered(o), { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false }))
    .join('---\n');
}

/**
 * Parses rendered template output back into objects.
 * @throws Error naming the line of a YAML syntax error (a broken template).
 */
export function fromYaml(text: string): unknown[] {
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: unknown[] = [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) throw new Error(`rendered YAML does not parse: ${error.message}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}
