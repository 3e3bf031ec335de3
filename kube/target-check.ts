/**
 * Every value the API sent that a target carries is checked before anything is written: the
 * targets go into Argo's withParam and Tekton's matrix (where `{{…}}` and `$(…)` are template
 * syntax), the run ledger, and the node steps' command lines. The API server enforces these
 * formats itself, so a value outside them means something else answered: the whole selection is
 * refused, every problem listed, rather than a VMI quietly left out.
 */
import { VMI_RESOURCE, resourceName } from './api-request.js';
import { hasFormat, type ValueFormat } from './k8s-values.js';
import { printable } from './printable.js';
import { compareRefs } from './selection.js';
import type { Target } from './target.js';
import type { VmiRecord } from './vmi-record.js';

/** One value refused. */
export interface ValueProblem {
  /** The VMI the value belongs to (or whose launcher pod it belongs to). */
  readonly namespace: string;
  readonly name: string;
  /** Where the value sits, e.g. `status.nodeName`, `its virt-launcher pod's metadata.uid`. */
  readonly field: string;
  /** The value, when the field is not the VMI's own namespace or name (those name the VMI). */
  readonly value?: string;
  readonly format: ValueFormat;
}

/** Values of the selected VMIs that no API server accepts. Exit 1, like every bad API answer. */
export class InvalidApiValuesError extends Error {
  constructor(readonly problems: readonly ValueProblem[]) {
    const n = problems.length;
    const lines = problems.map((p) => {
      const value = p.value === undefined ? '' : ` ${printable(p.value)}`;
      return `  ${resourceName(VMI_RESOURCE)} ${printable(p.name)} in namespace ${printable(p.namespace)}: ${p.field}${value} must be ${/^[AEIOU]/.test(p.format) ? 'an' : 'a'} ${p.format}`;
    });
    super(
      `the API server sent ${n} value${n === 1 ? ' that is' : 's that are'} not valid in a Kubernetes object (an API server accepts none of them) for the VMIs selected; ` +
        `nothing was written to the targets or the run ledger:\n${lines.join('\n')}`,
    );
  }
}
InvalidApiValuesError.prototype.name = 'InvalidApiValuesError';

/**
 * Checks the namespace, name, UID and node of VMIs drawn for the sample (their UIDs go into a
 * label selector next).
 * @throws InvalidApiValuesError listing every bad value.
 */
export function checkVmiRecords(vmis: readonly VmiRecord[]): void {
  throwIfAny(vmis.flatMap((v) => vmiProblems(v.namespace, v.name, v.uid, v.nodeName)));
}

/**
 * Checks every value of every target that came from the API (the interfaces come from the
 * validated scenario).
 * @throws InvalidApiValuesError listing every bad value.
 */
export function checkTargets(targets: readonly Target[]): void {
  throwIfAny(
    targets.flatMap((t) => {
      const pod = "its virt-launcher pod's";
      const problems = vmiProblems(t.namespace, t.name, t.uid, t.node);
      if (!hasFormat(t.launcherPod, 'DNS-1123 subdomain')) problems.push({ ...refOf(t), field: `${pod} metadata.name`, value: t.launcherPod, format: 'DNS-1123 subdomain' });
      if (t.launcherPodUid !== undefined && !hasFormat(t.launcherPodUid, 'Kubernetes UID')) problems.push({ ...refOf(t), field: `${pod} metadata.uid`, value: t.launcherPodUid, format: 'Kubernetes UID' });
      for (const ip of t.launcherPodIPs ?? []) if (!hasFormat(ip, 'IP address')) problems.push({ ...refOf(t), field: `${pod} status.podIPs`, value: ip, format: 'IP address' });
      return problems;
    }),
  );
}

function vmiProblems(namespace: string, name: string, uid: string, node: string | undefined): ValueProblem[] {
  const ref = { namespace, name };
  const problems: ValueProblem[] = [];
  if (!hasFormat(namespace, 'DNS-1123 label')) problems.push({ ...ref, field: 'metadata.namespace', format: 'DNS-1123 label' });
  if (!hasFormat(name, 'DNS-1123 subdomain')) problems.push({ ...ref, field: 'metadata.name', format: 'DNS-1123 subdomain' });
  if (!hasFormat(uid, 'Kubernetes UID')) problems.push({ ...ref, field: 'metadata.uid', value: uid, format: 'Kubernetes UID' });
  if (node !== undefined && !hasFormat(node, 'DNS-1123 subdomain')) problems.push({ ...ref, field: 'status.nodeName', value: node, format: 'DNS-1123 subdomain' });
  return problems;
}

function refOf(target: Target): { namespace: string; name: string } {
  return { namespace: target.namespace, name: target.name };
}

function throwIfAny(problems: ValueProblem[]): void {
  if (problems.length === 0) return;
  throw new InvalidApiValuesError([...problems].sort((a, b) => compareRefs(a, b)));
}
