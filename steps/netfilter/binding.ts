/**
 * Which bindings the engine can filter, and why the others are refused. Where a binding's
 * traffic is seen decides every rule (DESIGN §5, ../shared/lab).
 */
import type { Binding } from '../../kube/target.js';

/** Bindings whose guest traffic crosses the launcher's network namespace. */
export type FilterableBinding = 'masquerade' | 'bridge' | 'passt' | 'slirp';

/** The binding's traffic never passes a namespace we can filter. */
export class BindingRefusedError extends Error {
  /** Bad input for this tool whatever the node: exit status 2. */
  readonly exitCode = 2;
  constructor(readonly binding: Binding, readonly reason: string) {
    super(`binding ${binding} is refused: ${reason}`);
  }
}
BindingRefusedError.prototype.name = 'BindingRefusedError';

const REFUSALS: Partial<Record<Binding, string>> = {
  sriov:
    'the VM owns a virtual function of the node\'s NIC (PCI passthrough); its packets go from the guest to the hardware and never pass the virt-launcher network namespace, so no netfilter rule there can see them',
  macvtap:
    'the guest\'s macvtap device hangs off a host interface and delivers frames straight to the VM, bypassing the virt-launcher namespace\'s bridge and routing hooks, so rules there would leak all of its traffic',
};

/**
 * `binding`, when the engine can filter it.
 * @throws BindingRefusedError for sriov and macvtap, saying why.
 */
export function filterableBinding(binding: Binding): FilterableBinding {
  const reason = REFUSALS[binding];
  if (reason !== undefined) throw new BindingRefusedError(binding, reason);
  return binding as FilterableBinding;
}

/** Bindings whose guest traffic is relayed by a user-space process with sockets of its own. */
export function isRelayBinding(binding: FilterableBinding): binding is 'passt' | 'slirp' {
  return binding === 'passt' || binding === 'slirp';
}
