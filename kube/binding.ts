/**
 * A VMI's network binding, read from its spec as KubeVirt interprets it
 * (`spec.domain.devices.interfaces[*]` against `spec.networks[*]`): the binding decides where
 * the VM's traffic crosses the virt-launcher network namespace, hence how (and whether) it can
 * be filtered there.
 */
import { BINDINGS, SUPPORTED_BINDINGS, type Binding } from './target.js';
import { asArray, asObject, asString } from './_json.js';

/**
 * How one interface is bound: a core binding, a network binding plugin KubeVirt does not map to
 * one (`plugin:<name>`), `unknown` when the interface names none, `none` for a VMI without any.
 */
export type BindingKind = Binding | `plugin:${string}` | 'unknown' | 'none';

/** One interface and its binding. */
export interface InterfaceBinding {
  /** The interface name in the VMI spec (also the name of its network). */
  readonly name: string;
  readonly kind: BindingKind;
}

/** The binding of a VMI: its primary interface decides; the others are reported. */
export interface VmiBinding {
  /** The primary interface: the pod network's, else the Multus default network's, else the first. */
  readonly primary: InterfaceBinding;
  /** The other interfaces; their traffic is not filtered unless the scenario names their devices. */
  readonly secondary: readonly InterfaceBinding[];
}

// Network binding plugins registered under the names KubeVirt's documentation gives them behave
// like the former core bindings of the same name (passt and slirp relay through the launcher).
const PLUGIN_BINDINGS: Readonly<Record<string, Binding>> = { passt: 'passt', slirp: 'slirp', macvtap: 'macvtap' };

/** True for the bindings whose traffic passes a network namespace we can filter. */
export function isSupportedBinding(kind: BindingKind): kind is Binding {
  return (SUPPORTED_BINDINGS as readonly string[]).includes(kind);
}

/**
 * The binding of a VMI from its `spec`. Without interfaces KubeVirt attaches the pod network
 * with the bridge binding (unless `autoattachPodInterface: false`); interfaces being hot-unplugged
 * (`state: absent`) are ignored.
 */
export function bindingOf(spec: unknown): VmiBinding {
  const specObject = asObject(spec) ?? {};
  const devices = asObject(asObject(specObject.domain)?.devices) ?? {};
  const interfaces = asArray(devices.interfaces)
    .map(asObject)
    .filter((i): i is Record<string, unknown> => i !== undefined && i.state !== 'absent');
  if (interfaces.length === 0) {
    const kind: BindingKind = devices.autoattachPodInterface === false ? 'none' : 'bridge';
    return { primary: { name: kind === 'none' ? '' : 'default', kind }, secondary: [] };
  }
  const all = interfaces.map((i): InterfaceBinding => ({ name: asString(i.name) ?? '', kind: kindOf(i) }));
  const primaryName = primaryNetwork(asArray(specObject.networks));
  const index = Math.max(0, primaryName === undefined ? 0 : all.findIndex((i) => i.name === primaryName));
  return { primary: all[index]!, secondary: all.filter((_, i) => i !== index) };
}

function kindOf(spec: Record<string, unknown>): BindingKind {
  const core = BINDINGS.find((b) => asObject(spec[b]) !== undefined);
  if (core) return core;
  const plugin = asString(asObject(spec.binding)?.name);
  if (plugin) return PLUGIN_BINDINGS[plugin] ?? `plugin:${plugin}`;
  return 'unknown';
}

/** Name of the network carrying the pod's default route: `pod: {}`, else a Multus default. */
function primaryNetwork(networks: readonly unknown[]): string | undefined {
  const objects = networks.map(asObject).filter((n): n is Record<string, unknown> => n !== undefined);
  const pod = objects.find((n) => asObject(n.pod) !== undefined);
  const multusDefault = objects.find((n) => asObject(n.multus)?.default === true);
  return asString((pod ?? multusDefault)?.name);
}
