/**
 * The scalars of a scenario file as krkn reads them: krkn loads scenario files with PyYAML's
 * `yaml.safe_load`, whose implicit resolvers are YAML 1.1's with PyYAML's own choices. The
 * `yaml` package's "yaml-1.1" schema differs from them (it reads `y`/`n` as booleans, `09` and
 * `1e3` as numbers, which PyYAML reads as strings), so the resolvers are spelled out here from
 * PyYAML's `resolver.py` and `constructor.py` (SafeConstructor).
 *
 * Floats and timestamps keep their source text: no scenario key takes one, and `120.0` must
 * stay distinguishable from `120` (krkn refuses a float where it wants an int).
 */
import type { ScalarTag, Tags } from 'yaml';

/** A YAML 1.1 float (`1.5`, `120.0`, `.inf`): a number krkn reads as a Python float. */
export class Yaml11Float {
  constructor(
    /** The text in the file. */
    readonly source: string,
    readonly value: number,
  ) {}

  toString(): string {
    return this.source;
  }
}

/** A YAML 1.1 timestamp (`2026-12-07`): a date or datetime to krkn. */
export class Yaml11Timestamp {
  constructor(
    /** The text in the file. */
    readonly source: string,
  ) {}

  toString(): string {
    return this.source;
  }
}

// PyYAML resolver.py, verbatim but for the `x` flag's whitespace.
const NULL = /^(?:~|null|Null|NULL|)$/;
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT = /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const TIMESTAMP = /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;

/** Base-60 digits, most significant first, as SafeConstructor adds them up. */
function sexagesimal(parts: readonly number[]): number {
  return parts.reduce((total, part) => total * 60 + part, 0);
}

/** SafeConstructor.construct_yaml_int; NaN where Python's int() raises (`0x_`). */
function constructInt(text: string): number {
  let value = text.replace(/_/g, '');
  const sign = value.startsWith('-') ? -1 : 1;
  if (value.startsWith('-') || value.startsWith('+')) value = value.slice(1);
  const digits = (s: string, radix: number, valid: RegExp): number => (valid.test(s) ? parseInt(s, radix) : NaN);
  let n: number;
  if (value === '0') n = 0;
  else if (value.startsWith('0b')) n = digits(value.slice(2), 2, /^[01]+$/);
  else if (value.startsWith('0x')) n = digits(value.slice(2), 16, /^[0-9a-fA-F]+$/);
  else if (value.startsWith('0')) n = digits(value, 8, /^[0-7]+$/);
  else if (value.includes(':')) n = sexagesimal(value.split(':').map(Number));
  else n = Number(value);
  return sign * n;
}

/** SafeConstructor.construct_yaml_float. */
function constructFloat(text: string): number {
  let value = text.replace(/_/g, '').toLowerCase();
  const sign = value.startsWith('-') ? -1 : 1;
  if (value.startsWith('-') || value.startsWith('+')) value = value.slice(1);
  if (value === '.inf') return sign * Infinity;
  if (value === '.nan') return NaN;
  if (value.includes(':')) return sign * sexagesimal(value.split(':').map(Number));
  return sign * Number(value);
}

const nullTag: ScalarTag = { tag: 'tag:yaml.org,2002:null', default: true, test: NULL, resolve: () => null };

const boolTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:bool',
  default: true,
  test: BOOL,
  resolve: (text, onError) => {
    const lower = text.toLowerCase();
    if (['yes', 'true', 'on'].includes(lower)) return true;
    if (['no', 'false', 'off'].includes(lower)) return false;
    onError(`"${text}" is not a YAML 1.1 boolean (yes/no, true/false, on/off)`);
    return text;
  },
};

const intTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  default: true,
  test: INT,
  resolve: (text, onError) => {
    const n = INT.test(text) ? constructInt(text) : NaN;
    if (Number.isNaN(n)) onError(`"${text}" is not an integer krkn's YAML reader (PyYAML) can read`);
    return n;
  },
};

const floatTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:float',
  default: true,
  test: FLOAT,
  resolve: (text) => new Yaml11Float(text, constructFloat(text)),
};

const timestampTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:timestamp',
  default: true,
  test: TIMESTAMP,
  resolve: (text) => new Yaml11Timestamp(text),
};

/** PyYAML resolves a lone `=` to the YAML 1.1 value type, which its safe loader cannot construct. */
const valueTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:value',
  default: true,
  test: /^=$/,
  resolve: (text, onError) => {
    onError('a lone "=" is the YAML 1.1 "value" type, which krkn\'s YAML reader (PyYAML) refuses; quote it');
    return text;
  },
};

/**
 * The tags to parse a scenario file with, on top of the failsafe schema (map, seq, str): PyYAML's
 * implicit resolvers in its order (bool, float, int, merge, null, timestamp, value; the first match
 * wins, as in PyYAML), and the explicit tags SafeConstructor knows (`!!binary`, `!!omap`,
 * `!!pairs`, `!!set`). Any other tag is unresolved, as PyYAML's safe loader refuses it.
 */
export const PYYAML_SAFE_TAGS: Tags = [boolTag, floatTag, intTag, 'merge', nullTag, timestampTag, valueTag, 'binary', 'omap', 'pairs', 'set'];
