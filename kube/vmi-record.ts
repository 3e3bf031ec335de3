/**
 * The part of a VirtualMachineInstance that selection and verification read, extracted from the
 * API object as soon as a page arrives (a full VMI is kilobytes; this is a few strings).
 */
import { asObject, asString, asStringMap } from './_json.js';
import { bindingOf, type VmiBinding } from './binding.js';

/** A live migration that has started and not ended (KubeVirt `status.migrationState`). */
export interface MigrationInProgress {
  readonly sourceNode?: string;
  readonly targetNode?: string;
  readonly targetPod?: string;
}

/** What we read of a VMI. */
export interface VmiRecord {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** `status.phase`; "" when not reported yet. */
  readonly phase: string;
  /** `status.nodeName`: where the VM runs now. */
  readonly nodeName?: string;
  /** `status.activePods`: virt-launcher pod UID → node (two during a migration). */
  readonly activePods: Readonly<Record<string, string>>;
  readonly migration?: MigrationInProgress;
  readonly binding: VmiBinding;
}

/** The record of a VMI object, or undefined when it lacks namespace, name or uid. */
export function toVmiRecord(object: unknown): VmiRecord | undefined {
  const vmi = asObject(object);
  const metadata = asObject(vmi?.metadata);
  const namespace = asString(metadata?.namespace);
  const name = asString(metadata?.name);
  const uid = asString(metadata?.uid);
  if (!vmi || !namespace || !name || !uid) return undefined;
  const status = asObject(vmi.status) ?? {};
  const nodeName = asString(status.nodeName);
  const migration = migrationInProgress(status.migrationState);
  return {
    namespace,
    name,
    uid,
    phase: asString(status.phase) ?? '',
    ...(nodeName ? { nodeName } : {}),
    activePods: asStringMap(status.activePods),
    ...(migration ? { migration } : {}),
    binding: bindingOf(vmi.spec),
  };
}

function migrationInProgress(value: unknown): MigrationInProgress | undefined {
  const state = asObject(value);
  // The state stays after the migration, with completed or failed and endTimestamp set.
  if (!state || state.completed === true || state.failed === true || state.endTimestamp) return undefined;
  const sourceNode = asString(state.sourceNode);
  const targetNode = asString(state.targetNode);
  const targetPod = asString(state.targetPod);
  return { ...(sourceNode ? { sourceNode } : {}), ...(targetNode ? { targetNode } : {}), ...(targetPod ? { targetPod } : {}) };
}
