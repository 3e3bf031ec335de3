/**
 * What krkn makes of a scenario file's values before any check of ours: an empty key (YAML
 * null) and a value of the wrong YAML type. Read from krkn's network_chaos_ng code
 * (`NetworkFilterConfig` in models.py, `VmiNetworkFilterModule`, `deploy_network_chaos_ng_pod`):
 * where krkn gives an empty key a meaning we take it; where krkn fails on it (an error, or a
 * crash mid-run) we refuse it up front. Values from flags and the environment are strings by
 * nature and are not judged here.
 */
import { show } from './coerce.js';
import { SCENARIO_KEYS, SCENARIO_ID, type ValueKind } from './keys.js';

/** What an empty (null) key means. */
type NullReading =
  /** krkn's meaning, as a value of ours. */
  | { readonly value: unknown }
  /** Our default: the key is one of ours, not krkn's, and empty reads as left out. */
  | { readonly ours: true }
  /** krkn fails on it: why, in krkn's words or what it would do. */
  | { readonly refused: string; readonly hint: string };

const NULL_READINGS: Readonly<Record<string, NullReading>> = {
  id: { refused: 'krkn stops with "network chaos id cannot be None"', hint: `write "id: ${SCENARIO_ID}"` },
  image: { refused: 'krkn would start its pod with the image "None"', hint: 'name an image, or leave the key out for the default' },
  wait_duration: { refused: 'krkn stops with "wait_duration must be an int"', hint: 'give seconds, or leave the key out for the default 300' },
  test_duration: { refused: 'krkn stops with "test_duration must be an int"', hint: 'give seconds, or leave the key out for the default 120' },
  instance_count: { refused: 'krkn stops with "instance_count must be an int"', hint: 'give a count (0 = all), or leave the key out for the default 1' },
  execution: { refused: 'krkn stops with "execution cannot be None"', hint: 'write serial or parallel, or leave the key out for the default serial' },
  namespace: { refused: 'krkn stops with "namespace not specified for VMI scenario"', hint: 'name the namespace (or a regex of namespaces) of the target VMIs' },
  taints: { refused: 'krkn fails iterating it', hint: 'write [] for none' },
  interfaces: { refused: 'krkn fails taking its length', hint: 'write [] to detect the interface' },
  // krkn: `label_selector or None`, `{% if service_account %}`, `target if target else ".*"`.
  label_selector: { value: '' },
  service_account: { value: '' },
  target: { value: '' },
  // krkn tests `if config.ingress:`, so an empty direction is not filtered.
  ingress: { value: false },
  egress: { value: false },
  // NetworkFilterConfig.__post_init__: None ports are all ports, None protocols tcp and udp.
  ports: { value: [] },
  protocols: { value: ['tcp', 'udp'] },
  expiry_grace: { ours: true },
  onset: { ours: true },
  arm_budget: { ours: true },
};

/** A value krkn would refuse or misread, by key. */
export interface ValueProblem {
  readonly key: string;
  readonly message: string;
}

/** The file's values as krkn reads them, and what it would refuse. */
export interface KrknReading {
  /** The values to validate: refused ones removed (reported here instead), nulls given their meaning. */
  readonly values: Record<string, unknown>;
  readonly problems: readonly ValueProblem[];
}

const KINDS: ReadonlyMap<string, ValueKind> = new Map(SCENARIO_KEYS.map((k) => [k.key, k.kind]));

/**
 * Where a value came from: the file, plain or written as a string (quoted, or tagged `!!str`),
 * or elsewhere (flags, environment).
 */
export type ValueSource = 'file' | 'file-string' | 'other';

/**
 * Reads the file's values of `values` as krkn does (`sourceOf` tells which came from the file).
 * Keys krkn does not know are left for the schema to report.
 */
export function readAsKrkn(values: Readonly<Record<string, unknown>>, sourceOf: (key: string) => ValueSource): KrknReading {
  const out: Record<string, unknown> = { ...values };
  const problems: ValueProblem[] = [];
  const refuse = (key: string, message: string): void => {
    problems.push({ key, message });
    delete out[key];
  };
  for (const [key, value] of Object.entries(values)) {
    const source = sourceOf(key);
    if (source === 'other') continue;
    const reading = NULL_READINGS[key];
    if (value === null && reading) {
      if ('value' in reading) out[key] = reading.value;
      else if ('ours' in reading) delete out[key];
      else refuse(key, `is empty, which ${reading.refused}: ${reading.hint}`);
      continue;
    }
    // Python reads an empty string as false too.
    if (KINDS.get(key) === 'boolean' && value === '') {
      out[key] = false;
      continue;
    }
    const problem = typeProblem(KINDS.get(key), value, source === 'file-string');
    if (problem) refuse(key, problem);
  }
  return { values: out, problems };
}

/**
 * A file value of a type krkn refuses or misreads, where our string coercion (meant for flags
 * and environment variables) would otherwise accept it.
 */
function typeProblem(kind: ValueKind | undefined, value: unknown, written: boolean): string | undefined {
  if (kind === 'integer' && typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) {
    // Unquoted digits that YAML 1.1 leaves a string: a leading 0 (octal) before an 8 or 9.
    return written
      ? `${show(value)} is written as a string (quoted or tagged), which krkn refuses (it wants an int); write ${value.trim()} as a plain number`
      : `${value} is a string to krkn's YAML reader (YAML 1.1 reads a leading 0 as octal, and 8 and 9 are no octal digits), which krkn refuses (it wants an int); write ${Number(value)}`;
  }
  if (kind === 'boolean' && typeof value === 'string') {
    const word = value.trim().toLowerCase();
    const meant = word === 'false' || word === 'no' || word === 'off' ? `; write ${word} without quotes` : '; write true or false (or yes/no, on/off) without quotes';
    return `${show(value)} is a string, not a boolean, as krkn reads YAML; krkn would take any non-empty string as true${meant}`;
  }
  if ((kind === 'list' || kind === 'ports') && !Array.isArray(value)) {
    const chars = typeof value === 'string' ? ', and krkn would take a string character by character' : '';
    return `must be a YAML list ("- item" lines, or [a, b]), not ${show(value)}${chars}`;
  }
  return undefined;
}
