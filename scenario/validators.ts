/**
 * Checks on single values. Each returns why a value is wrong (a phrase that completes
 * "<key>: …"), or undefined when it is fine.
 */
import { labelKeyProblem, labelValueProblem } from './label-selector.js';
import { compilePythonRegex, PythonRegexError, type PythonRegex } from './python-regex/index.js';

/**
 * Linux interface names: at most IFNAMSIZ-1 = 15 bytes, and (net/core/dev.c dev_valid_name) no
 * '/', ':' or whitespace, not "." or "..". We are stricter and accept only the characters real
 * CNI and KubeVirt names use, so a name can never carry shell or nft syntax.
 */
export function ifnameProblem(name: string): string | undefined {
  if (name.length === 0) return 'an interface name must not be empty';
  if (name.length > 15) return `"${name}" is ${name.length} characters; Linux interface names have at most 15`;
  if (name === '.' || name === '..') return `"${name}" is not a valid interface name`;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
    return `"${name}" is not a valid interface name (letters, digits, '-', '_' and '.' only, starting with a letter or digit)`;
  }
  return undefined;
}

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;
export type TaintEffect = (typeof TAINT_EFFECTS)[number];

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: TaintEffect;
}

/** Parses `key[=value]:Effect`, the form of `kubectl taint` and krkn's TAINTS. */
export function parseTaint(text: string): Taint | string {
  const colon = text.lastIndexOf(':');
  const form = 'taints are written key[=value]:NoSchedule|PreferNoSchedule|NoExecute';
  if (colon < 0) return `"${text}" has no effect; ${form}`;
  const effect = text.slice(colon + 1);
  const keyValue = text.slice(0, colon);
  if (!(TAINT_EFFECTS as readonly string[]).includes(effect)) return `"${text}" has effect "${effect}"; ${form}`;
  const eq = keyValue.indexOf('=');
  const key = eq >= 0 ? keyValue.slice(0, eq) : keyValue;
  const value = eq >= 0 ? keyValue.slice(eq + 1) : undefined;
  const problem = labelKeyProblem(key) ?? (value === undefined ? undefined : labelValueProblem(value));
  if (problem) return `"${text}": ${problem}`;
  return value === undefined ? { key, effect: effect as TaintEffect } : { key, value, effect: effect as TaintEffect };
}

export function taintProblem(text: string): string | undefined {
  const parsed = parseTaint(text);
  return typeof parsed === 'string' ? parsed : undefined;
}

// The grammar of github.com/distribution/reference (regexp.go), anchored.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`;
const WITH_DOMAIN = new RegExp(`^${DOMAIN}/${REMOTE_NAME}`);
const WITHOUT_DOMAIN = new RegExp(`^${REMOTE_NAME}`);

export function imageProblem(image: string): string | undefined {
  if (image.length === 0) return 'an image reference must not be empty';
  const name = image.split('@')[0]!.replace(/:[\w][\w.-]*$/, '');
  if (name.length > 255) return `"${image}" is longer than the 255 characters an image name may have`;
  // As docker does: the first component is a registry only if it has a '.' or ':' or is localhost.
  const first = image.split('/')[0]!;
  const hasDomain = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!(hasDomain ? WITH_DOMAIN : WITHOUT_DOMAIN).test(image)) {
    return `"${image}" is not a valid image reference (e.g. registry.example.com/team/image:tag or image@sha256:…)`;
  }
  return undefined;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Service account names are DNS-1123 subdomains (ValidateServiceAccountName). */
export function serviceAccountProblem(name: string): string | undefined {
  if (name === '') return undefined;
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return `"${name}" is not a valid service account name (lowercase letters, digits, '-' and '.', at most 253 characters, starting and ending with a letter or digit)`;
  }
  return undefined;
}

/**
 * Compiles a krkn regex (`namespace`, `target`): Python's `re` grammar and `re.match` meaning
 * (anchored at the start, not at the end), as krkn evaluates it. It runs in linear time under RE2
 * unless it needs backtracking (backreferences, lookarounds, atomic groups, possessive repeats,
 * conditionals), which runs with a step budget per name; see scenario/python-regex/.
 * @param key the scenario key, named when a backtracking pattern runs out of steps.
 * @throws PythonRegexError when Python would refuse the pattern.
 */
export function compileKrknRegex(pattern: string, key = 'regex'): PythonRegex {
  return compilePythonRegex(pattern, { label: key });
}

/** Why Python's `re` (hence krkn) refuses a pattern, in our words with Python's reason; undefined when it accepts it. */
export function regexProblem(pattern: string): string | undefined {
  try {
    compilePythonRegex(pattern);
    return undefined;
  } catch (e) {
    if (!(e instanceof PythonRegexError)) throw e;
    return `"${pattern}" is not a valid Python regular expression (krkn uses Python's re): ${e.message}`;
  }
}

/**
 * Argo evaluates `{{…}}` (and `{{=…}}`) anywhere in a workflow, Tekton `$(…)` anywhere in a
 * Task or Pipeline; a user value carrying one would run as part of the workflow.
 */
export function templateExpressionProblem(value: string): string | undefined {
  if (value.includes('{{')) return `"${value}" contains "{{", which Argo Workflows would evaluate as a template expression`;
  if (value.includes('$(')) return `"${value}" contains "$(", which Tekton would evaluate as a variable reference`;
  return undefined;
}
