/**
 * Deterministic YAML for emitted manifests: `apiVersion`, `kind`, `metadata` first and `name`
 * first in every mapping (how people read manifests), all other keys sorted, so the same input
 * always gives the same bytes (golden files, the stale-examples check). YAML 1.1 output, because
 * older parsers (and kubectl's) read `yes`/`on` as booleans: the writer quotes such strings.
 */
import { Document, isMap, isScalar, isSeq, parseAllDocuments, stringify } from 'yaml';

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
 * Serializes the documents of rendered template output as toYaml does (same order, same bytes
 * but for the comments), keeping the template's comments on the nodes they precede or follow:
 * for output whose comments are its documentation (each RBAC rule's reason).
 * @throws Error naming the line of a YAML syntax error (a broken template).
 */
export function toYamlWithComments(text: string): string {
  fromYaml(text); // refuses a broken template with its message
  return parseAllDocuments(text, { uniqueKeys: true })
    .filter((doc) => doc.contents !== null)
    .map((doc) => {
      const out = new Document(ordered(doc.toJS()), { version: '1.1', aliasDuplicateObjects: false });
      copyComments(doc.contents, out.contents);
      return out.toString({ lineWidth: 0 });
    })
    .join('---\n');
}

/** Copies the comments of `from`'s nodes to the nodes of `to` at the same path (keys matched by name). */
function copyComments(from: unknown, to: unknown): void {
  if (from === null || to === null || typeof from !== 'object' || typeof to !== 'object') return;
  for (const field of ['commentBefore', 'comment'] as const) {
    const comment = (from as Record<string, unknown>)[field];
    if (typeof comment === 'string' && comment !== '') (to as Record<string, unknown>)[field] = comment;
  }
  if (isMap(from) && isMap(to)) {
    const keyOf = (key: unknown): unknown => (isScalar(key) ? key.value : key);
    for (const pair of from.items) {
      const target = to.items.find((p) => keyOf(p.key) === keyOf(pair.key));
      if (!target) continue;
      copyComments(pair.key, target.key);
      copyComments(pair.value, target.value);
    }
  } else if (isSeq(from) && isSeq(to)) {
    from.items.forEach((item, i) => copyComments(item, to.items[i]));
  }
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
