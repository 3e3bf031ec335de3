import { describe, expect, it } from 'vitest';
import { bindingOf, isSupportedBinding } from '../../kube/index.js';
import { vmiObject, type VmiOptions } from './kubevirt-vmi.js';

const specOf = (o: Partial<VmiOptions>): unknown => vmiObject({ namespace: 'ns', name: 'vm', ...o }).spec;

describe('binding of a VMI', () => {
  it('should read each core binding of the primary interface', () => {
    for (const binding of ['masquerade', 'bridge', 'passt', 'slirp', 'sriov', 'macvtap'] as const) {
      expect(bindingOf(specOf({ interfaces: [{ name: 'default', binding }] }))).toEqual({ primary: { name: 'default', kind: binding }, secondary: [] });
    }
  });

  it('should default to bridge on the pod network when the VMI lists no interface, as KubeVirt does', () => {
    expect(bindingOf(specOf({ interfaces: null }))).toEqual({ primary: { name: 'default', kind: 'bridge' }, secondary: [] });
  });

  it('should report no interface at all when autoattachPodInterface is false', () => {
    expect(bindingOf(specOf({ interfaces: null, autoattachPodInterface: false }))).toEqual({ primary: { name: '', kind: 'none' }, secondary: [] });
  });

  it('should take the interface of the pod network as primary, wherever it is listed', () => {
    const spec = {
      domain: { devices: { interfaces: [{ name: 'data', sriov: {} }, { name: 'default', masquerade: {} }] } },
      networks: [{ name: 'data', multus: { networkName: 'sriov-net' } }, { name: 'default', pod: {} }],
    };
    expect(bindingOf(spec)).toEqual({ primary: { name: 'default', kind: 'masquerade' }, secondary: [{ name: 'data', kind: 'sriov' }] });
  });

  it('should take the Multus default network as primary when there is no pod network', () => {
    const spec = {
      domain: { devices: { interfaces: [{ name: 'a', macvtap: {} }, { name: 'b', bridge: {} }] } },
      networks: [{ name: 'a', multus: { networkName: 'x' } }, { name: 'b', multus: { networkName: 'y', default: true } }],
    };
    expect(bindingOf(spec).primary).toEqual({ name: 'b', kind: 'bridge' });
  });

  it('should map network binding plugins named passt or slirp and mark others as plugins', () => {
    expect(bindingOf(specOf({ interfaces: [{ name: 'default', binding: { plugin: 'passt' } }] })).primary.kind).toBe('passt');
    expect(bindingOf(specOf({ interfaces: [{ name: 'default', binding: { plugin: 'l2bridge' } }] })).primary.kind).toBe('plugin:l2bridge');
    expect(bindingOf({ domain: { devices: { interfaces: [{ name: 'default' }] } } }).primary.kind).toBe('unknown');
  });

  it('should ignore interfaces being hot-unplugged', () => {
    const spec = { domain: { devices: { interfaces: [{ name: 'old', sriov: {}, state: 'absent' }, { name: 'default', passt: {} }] } }, networks: [{ name: 'default', pod: {} }] };
    expect(bindingOf(spec)).toEqual({ primary: { name: 'default', kind: 'passt' }, secondary: [] });
  });

  it('should support exactly masquerade, bridge, passt and slirp', () => {
    expect(['masquerade', 'bridge', 'passt', 'slirp', 'sriov', 'macvtap', 'plugin:x', 'unknown', 'none'].filter((k) => isSupportedBinding(k as never))).toEqual([
      'masquerade',
      'bridge',
      'passt',
      'slirp',
    ]);
  });
});
