/**
 * The bounds on what a scenario may be made of, and why each is what it is. Every input is
 * bounded before any work proportional to it is done, so a huge or hostile input costs a
 * message, not memory: a 430 KB file of 10,000 scenarios once took `generate argo` to 4.3 GB
 * and a 100 MB namespace became a 100 MB Workflow (issue 18). Where Kubernetes or Linux has a
 * limit we take it; elsewhere the bound is far above any real use and stated with its reason.
 */
import type { ScenarioKeyName } from './keys.js';

/** The most a scenario file (or standard input, or inline JSON) may hold: 512 KiB. */
export const MAX_FILE_BYTES = 512 * 1024;
/** The most all `--scenario` arguments of one command may hold together: 1 MiB. */
export const MAX_TOTAL_BYTES = 1024 * 1024;

/**
 * The most scenarios one workflow runs. Each adds about 15 KB to the generated Workflow, and
 * the API server stores an object of at most 1.5 MiB (etcd's default request size), so 100
 * scenarios is already about as large a Workflow as a cluster accepts.
 */
export const MAX_SCENARIOS = 100;
export const MAX_SCENARIOS_REASON = 'each adds about 15 KB to the workflow, and the API server stores an object of at most 1.5 MiB';

/**
 * The most values (scalars, lists, mappings) a file may expand to through its aliases: as
 * many as the largest file could write out without any (two bytes each, as `1,`). More is an
 * alias bomb ("billion laughs"): a few lines that expand to billions of values.
 */
export const MAX_EXPANDED_VALUES = MAX_FILE_BYTES / 2;

/**
 * The most aliases (`*name`) a file may use. The `yaml` package resolves each by a pass over the
 * aliases and anchors before it, so their cost grows with their number squared: 10,000 take
 * about a second; a 512 KiB file could hold 170,000. 100 scenarios need far fewer.
 */
export const MAX_ALIASES = 10_000;
export const MAX_ALIASES_REASON = 'each is resolved by a pass over the ones before it';

/** Integers, booleans and choices: no valid one is longer. */
const SHORT = { chars: 64, reason: 'no integer, boolean or choice is longer' };

/** The bound on a string value, or on each item of a list, and why. */
export interface StringLimit {
  readonly chars: number;
  readonly reason: string;
}

/** The bound on a list: how many items. Its comma-separated string form is bounded too. */
export interface ListLimit {
  readonly items: number;
  readonly item: StringLimit;
}

/** Per string key: the most characters of its value. */
export const STRING_LIMITS: Readonly<Partial<Record<ScenarioKeyName | 'id', StringLimit>>> = {
  id: SHORT,
  test_duration: SHORT,
  instance_count: SHORT,
  execution: SHORT,
  ingress: SHORT,
  egress: SHORT,
  wait_duration: SHORT,
  expiry_grace: SHORT,
  onset: SHORT,
  arm_budget: SHORT,
  // A regex may list alternatives: 1024 holds 16 namespace names of the longest kind.
  namespace: { chars: 1024, reason: 'a regex of namespace names, which have at most 63 characters' },
  target: { chars: 1024, reason: 'a regex of VMI names, which have at most 253 characters' },
  // URL-encoded (up to 3 bytes a character) it stays within an 8 KiB request line.
  label_selector: { chars: 2048, reason: 'it travels in the URL of the list request, which proxies commonly cap at 8 KiB' },
  // distribution/reference: a name of 255, a tag of 128, a digest (sha512: 135) and separators: 521.
  image: { chars: 1024, reason: 'a 255-character name, a 128-character tag and a sha512 digest fit' },
  service_account: { chars: 253, reason: 'a DNS-1123 subdomain' },
};

/** Per list key: the most items, and the most characters of each. */
export const LIST_LIMITS: Readonly<Partial<Record<ScenarioKeyName, ListLimit>>> = {
  interfaces: { items: 64, item: { chars: 15, reason: "IFNAMSIZ - 1, Linux's limit" } },
  ports: { items: 1024, item: SHORT },
  protocols: { items: 8, item: SHORT },
  // A key of 317 (a 253-character DNS prefix, "/", a 63-character name), "=", a value of 63, ":", an effect of 16.
  taints: { items: 64, item: { chars: 398, reason: 'a 317-character key, a 63-character value and an effect' } },
};

/** The most characters of a list written as one comma-separated string (a flag, a variable). */
export function listStringChars(limit: ListLimit): number {
  return limit.items * (limit.item.chars + 1);
}
