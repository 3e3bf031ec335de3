/**
 * The scenario keys and their three spellings: krkn scenario file key, krknctl flag, krkn-hub
 * environment variable. This table is the one place the spellings live: the loader, the CLI
 * flags, the WorkflowTemplate parameters and the README table are all derived from it.
 */

/** How a key's value is written as a string (flags, env, workflow parameters). */
export type ValueKind = 'integer' | 'boolean' | 'string' | 'list' | 'ports';

export interface ScenarioKey {
  /** Key in the krkn scenario file (and the workflow parameter name). */
  readonly key: ScenarioKeyName;
  /** krknctl flag, without the leading dashes. */
  readonly flag: string;
  /** krkn-hub environment variable. */
  readonly env: string;
  readonly kind: ValueKind;
  /** One line for --help and the README. */
  readonly description: string;
}

export type ScenarioKeyName =
  | 'test_duration'
  | 'namespace'
  | 'target'
  | 'label_selector'
  | 'instance_count'
  | 'execution'
  | 'ingress'
  | 'egress'
  | 'interfaces'
  | 'ports'
  | 'protocols'
  | 'image'
  | 'taints'
  | 'service_account'
  | 'wait_duration'
  | 'expiry_grace'
  | 'onset'
  | 'arm_budget';

export const SCENARIO_KEYS: readonly ScenarioKey[] = [
  { key: 'test_duration', flag: 'chaos-duration', env: 'TOTAL_CHAOS_DURATION', kind: 'integer', description: 'seconds the rules are held (integer >= 1)' },
  { key: 'namespace', flag: 'namespace', env: 'NAMESPACE', kind: 'string', description: 'regex on namespace names, anchored at the start (required)' },
  { key: 'target', flag: 'target', env: 'VMI_NAME', kind: 'string', description: 'regex on VMI names, anchored at the start; empty = all' },
  { key: 'label_selector', flag: 'label-selector', env: 'LABEL_SELECTOR', kind: 'string', description: 'Kubernetes label selector on VMIs, applied server-side' },
  { key: 'instance_count', flag: 'instance-count', env: 'INSTANCE_COUNT', kind: 'integer', description: 'maximum VMIs to target; 0 = all matches' },
  { key: 'execution', flag: 'execution', env: 'EXECUTION', kind: 'string', description: 'serial (one VMI at a time) or parallel' },
  { key: 'ingress', flag: 'ingress', env: 'INGRESS', kind: 'boolean', description: 'drop traffic entering the VM' },
  { key: 'egress', flag: 'egress', env: 'EGRESS', kind: 'boolean', description: 'drop traffic leaving the VM' },
  { key: 'interfaces', flag: 'interfaces', env: 'INTERFACES', kind: 'list', description: 'comma-separated interface names; empty = auto-detect' },
  { key: 'ports', flag: 'ports', env: 'PORTS', kind: 'ports', description: 'comma-separated destination ports; empty = all ports' },
  { key: 'protocols', flag: 'protocols', env: 'PROTOCOLS', kind: 'list', description: 'tcp, udp or tcp,udp' },
  { key: 'image', flag: 'image', env: 'IMAGE', kind: 'string', description: 'image that runs the steps' },
  { key: 'taints', flag: 'taints', env: 'TAINTS', kind: 'list', description: 'comma-separated key[=value]:Effect taints to tolerate' },
  { key: 'service_account', flag: 'service-account', env: 'SERVICE_ACCOUNT', kind: 'string', description: 'service account of the step pods' },
  { key: 'wait_duration', flag: 'wait-duration', env: 'WAIT_DURATION', kind: 'integer', description: 'seconds to wait before the next scenario of the same file' },
  // Ours, not krkn's: the kernel stops every rule at inject time + test_duration + expiry_grace.
  { key: 'expiry_grace', flag: 'expiry-grace', env: 'EXPIRY_GRACE', kind: 'integer', description: 'seconds past test_duration after which the kernel stops the rules by itself' },
  // Ours: a kernel-timed fault window shared by every VMI of a parallel run (issue 14).
  { key: 'onset', flag: 'onset', env: 'ONSET', kind: 'string', description: 'immediate (each VMI when armed) or synchronized (every VMI at one instant, for exactly test_duration; parallel only)' },
  { key: 'arm_budget', flag: 'arm-budget', env: 'ARM_BUDGET', kind: 'integer', description: 'synchronized onset: seconds from select to the start, for arming every node; 0 = 45 + 1 per 10 nodes (at most 300)' },
];

export const SCENARIO_KEY_NAMES: readonly ScenarioKeyName[] = SCENARIO_KEYS.map((k) => k.key);

/** The `id` every item of a krkn scenario file must carry. */
export const SCENARIO_ID = 'vmi_network_filter';

/**
 * The other ids krkn's network_chaos_ng plugin runs (`supported_modules` in its
 * network_chaos_factory.py): valid krkn items, but not ours to run.
 */
export const OTHER_KRKN_NETWORK_IDS: readonly string[] = [
  'node_network_filter',
  'pod_network_filter',
  'pod_network_chaos',
  'node_network_chaos',
  'node_interface_down',
  'vmi_network_chaos',
];
