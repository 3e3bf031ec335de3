/**
 * Which VMIs a scenario targets, decided from what the API listed (pure: no I/O). Filters run in
 * a fixed order and each counts what it removed, so an empty selection can say which filter
 * emptied it:
 *   label selector (server-side) → namespace regex → target regex → Running on a node →
 *   no live migration in progress → supported binding → Running virt-launcher pod → sample.
 */
import { compileKrknRegex } from '../scenario/index.js';
import type { Target } from './target.js';
import { isSupportedBinding } from './binding.js';
import { resolveLauncherPod, type LauncherPodRecord } from './launcher-pod.js';
import { sampleUniform } from './sample.js';
import type { VmiRecord } from './vmi-record.js';

/** The scenario keys that select VMIs. */
export interface SelectionCriteria {
  /** Regex on namespace names, krkn semantics (anchored at the start only). */
  readonly namespace: string;
  /** Regex on VMI names, same semantics. */
  readonly target: string;
  /** Applied by the API server; carried here for messages. */
  readonly labelSelector: string;
  /** Maximum number of targets; 0 = all. */
  readonly instanceCount: number;
  /** Explicit interface names, passed on to every target when given. */
  readonly interfaces: readonly string[];
}

/** Why a VMI that matched the regexes is not a target. */
export type ExclusionReason = 'not-running' | 'migrating' | 'unsupported-binding' | 'no-launcher-pod';

/** A VMI left out, and why. */
export interface Exclusion {
  readonly namespace: string;
  readonly name: string;
  readonly reason: ExclusionReason;
  readonly detail: string;
}

/** A VMI by name. */
export interface VmiRef {
  readonly namespace: string;
  readonly name: string;
}

/** How many VMIs were listed and how many each filter removed. */
export interface SelectionCounts {
  /** VMIs the API returned (label selector applied). */
  listed: number;
  namespaceRegex: number;
  targetRegex: number;
  notRunning: number;
  migrating: number;
  unsupportedBinding: number;
  /** unsupportedBinding by binding kind, e.g. { sriov: 2 }. */
  unsupportedByKind: Record<string, number>;
  /** VMIs that passed the filters above (the VMI-only ones). */
  candidates: number;
  noLauncherPod: number;
  /** Candidates with a Running launcher pod; null when only the chosen ones' pods were read. */
  eligible: number | null;
  /** VMIs the instance_count sample left out. */
  notChosen: number;
  selected: number;
}

/** The outcome of the VMI-only filters. */
export interface VmiStage {
  /** Sorted by namespace, then name (a seed must pick the same VMIs whatever the list order). */
  readonly candidates: readonly VmiRecord[];
  readonly exclusions: readonly Exclusion[];
  readonly counts: SelectionCounts;
}

/** The selection. */
export interface Selection {
  /** Chosen targets, sorted by namespace and name. */
  readonly targets: readonly Target[];
  /** VMIs the sample did not choose. */
  readonly notChosen: readonly VmiRef[];
  readonly exclusions: readonly Exclusion[];
  readonly counts: SelectionCounts;
}

/**
 * The filters that need only the VMI objects.
 * Each regex is compiled once and answers once per distinct name (a namespace holds many VMIs).
 * @throws PythonRegexError for a regex Python refuses (the scenario schema rejects those first).
 * @throws RegexBudgetError when a regex that must backtrack exhausts its step budget on a name.
 */
export function filterVmis(vmis: readonly VmiRecord[], criteria: SelectionCriteria): VmiStage {
  const namespaceRegex = compileKrknRegex(criteria.namespace, 'namespace regex');
  const targetRegex = compileKrknRegex(criteria.target, 'target regex');
  const counts = emptyCounts(vmis.length);
  const exclusions: Exclusion[] = [];
  const candidates: VmiRecord[] = [];
  const exclude = (vmi: VmiRecord, reason: ExclusionReason, detail: string): void => {
    exclusions.push({ namespace: vmi.namespace, name: vmi.name, reason, detail });
  };
  for (const vmi of vmis) {
    if (!namespaceRegex.match(vmi.namespace)) {
      counts.namespaceRegex++;
    } else if (!targetRegex.match(vmi.name)) {
      counts.targetRegex++;
    } else if (vmi.phase !== 'Running' || !vmi.nodeName) {
      counts.notRunning++;
      exclude(vmi, 'not-running', vmi.phase === 'Running' ? 'Running but without status.nodeName' : `phase is ${vmi.phase || 'not reported yet'}`);
    } else if (vmi.migration) {
      counts.migrating++;
      const { sourceNode, targetNode } = vmi.migration;
      exclude(vmi, 'migrating', `live migration in progress from ${sourceNode ?? vmi.nodeName} to ${targetNode ?? 'a node not chosen yet'}; a fault injected now would be lost when it completes`);
    } else if (!isSupportedBinding(vmi.binding.primary.kind)) {
      const { kind, name } = vmi.binding.primary;
      counts.unsupportedBinding++;
      counts.unsupportedByKind[kind] = (counts.unsupportedByKind[kind] ?? 0) + 1;
      exclude(vmi, 'unsupported-binding', unsupportedDetail(kind, name));
    } else {
      candidates.push(vmi);
    }
  }
  candidates.sort((a, b) => compareRefs(a, b));
  counts.candidates = candidates.length;
  return { candidates, exclusions, counts };
}

/**
 * The targets of `vmis` (candidates), each with its launcher pod found among `pods`; the VMIs
 * without one are excluded. Keeps the order of `vmis`.
 */
export function resolveTargets(
  vmis: readonly VmiRecord[],
  pods: readonly LauncherPodRecord[],
  criteria: SelectionCriteria,
): { readonly targets: Target[]; readonly exclusions: Exclusion[] } {
  const byVmi = new Map<string, LauncherPodRecord[]>();
  for (const pod of pods) {
    const list = byVmi.get(pod.vmiUid);
    if (list) list.push(pod);
    else byVmi.set(pod.vmiUid, [pod]);
  }
  const targets: Target[] = [];
  const exclusions: Exclusion[] = [];
  for (const vmi of vmis) {
    const resolved = resolveLauncherPod(vmi, (byVmi.get(vmi.uid) ?? []).filter((p) => p.namespace === vmi.namespace));
    if ('reason' in resolved) {
      exclusions.push({ namespace: vmi.namespace, name: vmi.name, reason: 'no-launcher-pod', detail: resolved.reason });
      continue;
    }
    targets.push({
      namespace: vmi.namespace,
      name: vmi.name,
      uid: vmi.uid,
      node: vmi.nodeName!,
      launcherPod: resolved.pod.name,
      launcherPodUid: resolved.pod.uid,
      ...(resolved.pod.ips ? { launcherPodIPs: resolved.pod.ips.slice(0, 2) } : {}),
      // filterVmis let only supported bindings through
      binding: vmi.binding.primary.kind as Target['binding'],
      ...(criteria.interfaces.length > 0 ? { interfaces: [...criteria.interfaces] } : {}),
    });
  }
  return { targets, exclusions };
}

/**
 * Every candidate's launcher pod resolved among `pods` (all launcher pods of the candidates),
 * then a uniform sample of `instanceCount` of the eligible ones.
 */
export function selectAmongEligible(stage: VmiStage, pods: readonly LauncherPodRecord[], criteria: SelectionCriteria, random: () => number): Selection {
  const { targets: eligible, exclusions } = resolveTargets(stage.candidates, pods, criteria);
  const sample = sampleUniform(eligible, criteria.instanceCount, random);
  return {
    targets: sample.chosen,
    notChosen: sample.rest.map(refOf),
    exclusions: [...stage.exclusions, ...exclusions],
    counts: { ...stage.counts, unsupportedByKind: { ...stage.counts.unsupportedByKind }, noLauncherPod: exclusions.length, eligible: eligible.length, notChosen: sample.rest.length, selected: sample.chosen.length },
  };
}

/** Both steps at once, for callers that hold every launcher pod. */
export function selectTargets(vmis: readonly VmiRecord[], pods: readonly LauncherPodRecord[], criteria: SelectionCriteria, random: () => number): Selection {
  return selectAmongEligible(filterVmis(vmis, criteria), pods, criteria, random);
}

/** `namespace/name` order, by code units: the same on every machine and locale. */
export function compareRefs(a: VmiRef, b: VmiRef): number {
  const x = `${a.namespace}/${a.name}`;
  const y = `${b.namespace}/${b.name}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The namespace and name of a VMI or target. */
export function refOf(vmi: VmiRef): VmiRef {
  return { namespace: vmi.namespace, name: vmi.name };
}

function emptyCounts(listed: number): SelectionCounts {
  return {
    listed,
    namespaceRegex: 0,
    targetRegex: 0,
    notRunning: 0,
    migrating: 0,
    unsupportedBinding: 0,
    unsupportedByKind: {},
    candidates: 0,
    noLauncherPod: 0,
    eligible: null,
    notChosen: 0,
    selected: 0,
  };
}

function unsupportedDetail(kind: string, interfaceName: string): string {
  if (kind === 'none') return 'the VMI has no network interface (autoattachPodInterface: false)';
  const what = kind === 'unknown' ? 'names no binding' : `uses the ${kind.startsWith('plugin:') ? `network binding plugin "${kind.slice(7)}"` : `${kind} binding`}`;
  const why = kind === 'sriov' || kind === 'macvtap' ? ': its traffic bypasses the virt-launcher network namespace' : ', which this tool cannot filter';
  return `primary interface "${interfaceName}" ${what}${why}`;
}
