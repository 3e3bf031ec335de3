/**
 * Small pieces of Argo's value handling the executor needs to match exactly: how `{{item}}` of a
 * `withParam` list is serialized, how a suspend duration is read, and the assessment of a DAG's
 * phase from its leaf tasks.
 */
import { UnsupportedExpressionError, type Phase } from './argo-expressions.js';

/**
 * JSON as Go's encoding/json writes a map: keys sorted, no spaces, `<`, `>`, `&` escaped. Argo
 * marshals a `withParam` item that is an object this way for `{{item}}`.
 */
export function goJson(value: unknown): string {
  const enc = (v: unknown): string => {
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    if (Array.isArray(v)) return `[${v.map(enc).join(',')}]`;
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${enc(o[k])}`).join(',')}}`;
  };
  return enc(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** The `{{item…}}` variables of one `withParam` element. */
export function itemScope(item: unknown): [string, string][] {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return [['item', typeof item === 'string' ? item : goJson(item)]];
  const entries: [string, string][] = [['item', goJson(item)]];
  for (const [k, v] of Object.entries(item as Record<string, unknown>)) entries.push([`item.${k}`, typeof v === 'string' ? v : goJson(v)]);
  return entries;
}

/**
 * Seconds of a suspend duration: an integer (seconds) or Go's `30s`/`2m`/`1h` forms.
 * @throws UnsupportedExpressionError for anything else
 */
export function durationSeconds(text: string): number {
  const m = /^(\d+)(s|m|h)?$/.exec(text.trim());
  if (!m) throw new UnsupportedExpressionError(text, 'not a duration');
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h' ?? 's'];
}

const failedOrError = (p: Phase | undefined): boolean => p === 'Failed' || p === 'Error';

/**
 * A DAG's phase as Argo assesses it (workflow/controller/dag.go, assessDAGPhase): only the leaf
 * tasks count; a leaf that completed counts with its own phase, a skipped or omitted one with
 * the phase of the branch above it (Failed/Error preferred). So a failure that a later task
 * handles through `depends` does not fail the DAG when that task succeeds.
 */
export function assessDagPhase(tasks: readonly { readonly name: string; readonly deps: readonly string[] }[], phaseOf: (task: string) => Phase | undefined): Phase {
  const memo = new Map<string, Phase>();
  const branch = (name: string): Phase => {
    const cached = memo.get(name);
    if (cached) return cached;
    const own = phaseOf(name);
    let phase: Phase;
    if (own === 'Succeeded' || own === 'Failed' || own === 'Error') phase = own;
    else {
      const parents = tasks.find((t) => t.name === name)!.deps.map(branch);
      phase = parents.find((p) => p === 'Error') ?? parents.find((p) => p === 'Failed') ?? 'Succeeded';
    }
    memo.set(name, phase);
    return phase;
  };
  const leaves = tasks.filter((t) => !tasks.some((o) => o.deps.includes(t.name)));
  const phases = leaves.map((l) => (phaseOf(l.name) === undefined ? 'Failed' : branch(l.name)));
  return phases.find(failedOrError) ?? 'Succeeded';
}
