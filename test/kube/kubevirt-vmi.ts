/**
 * Realistic kubevirt.io/v1 VirtualMachineInstance objects for the test API server: spec
 * (interfaces and networks as the user guide shows them) and status (phase, nodeName,
 * activePods, migrationState, interfaces) as virt-controller and virt-handler fill them. Sizes
 * are close to real ones, so the benchmark parses what a cluster would send.
 */
import { launcherUid, uidFor } from './fixture-ids.js';

/** A binding as it appears in an interface spec: core name or a network binding plugin. */
export type InterfaceSpecBinding = 'masquerade' | 'bridge' | 'passt' | 'slirp' | 'sriov' | 'macvtap' | { readonly plugin: string };

/** What a VMI fixture varies; everything else is a typical Running Fedora VM. */
export interface VmiOptions {
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** @default 'Running' */
  readonly phase?: string;
  /** status.nodeName; null leaves it out. @default 'worker-0' */
  readonly node?: string | null;
  /** Interfaces (the first on the pod network, the others on Multus networks); null omits the field. @default [{name:'default', binding:'masquerade'}] */
  readonly interfaces?: readonly { readonly name: string; readonly binding: InterfaceSpecBinding }[] | null;
  readonly autoattachPodInterface?: boolean;
  /** status.migrationState. */
  readonly migration?: { readonly sourceNode: string; readonly targetNode: string; readonly targetPod: string; readonly completed?: boolean; readonly failed?: boolean };
  /** status.activePods (pod uid → node). @default the launcher pod fixture's uid → node */
  readonly activePods?: Readonly<Record<string, string>>;
}

const CREATED = '2025-05-12T09:14:03Z';

/** A kubevirt.io/v1 VirtualMachineInstance object. */
export function vmiObject(o: VmiOptions): Record<string, unknown> {
  const uid = o.uid ?? uidFor(`vmi/${o.namespace}/${o.name}`);
  const node = o.node === undefined ? 'worker-0' : o.node;
  const phase = o.phase ?? 'Running';
  const interfaces = o.interfaces === undefined ? [{ name: 'default', binding: 'masquerade' as const }] : o.interfaces;
  const ifaceSpec = (interfaces ?? []).map((i, n) => ({
    name: i.name,
    ...(typeof i.binding === 'string' ? { [i.binding]: {} } : { binding: { name: i.binding.plugin } }),
    macAddress: `02:${uid.slice(0, 2)}:${uid.slice(2, 4)}:${uid.slice(4, 6)}:00:0${n}`,
    model: 'virtio',
  }));
  const networks = (interfaces ?? []).map((i, n) => (n === 0 ? { name: i.name, pod: {} } : { name: i.name, multus: { networkName: `${o.namespace}/${i.name}` } }));
  const running = phase === 'Running' && node !== null;
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: {
      annotations: {
        'kubevirt.io/latest-observed-api-version': 'v1',
        'kubevirt.io/storage-observed-api-version': 'v1',
        'kubevirt.io/vm-generation': '1',
      },
      creationTimestamp: CREATED,
      finalizers: ['kubevirt.io/virtualMachineControllerFinalize', 'foregroundDeleteVirtualMachine'],
      generation: 11,
      labels: { 'kubevirt.io/size': 'small', ...(node ? { 'kubevirt.io/nodeName': node } : {}), ...o.labels },
      name: o.name,
      namespace: o.namespace,
      ownerReferences: [{ apiVersion: 'kubevirt.io/v1', blockOwnerDeletion: true, controller: true, kind: 'VirtualMachine', name: o.name, uid: uidFor(`vm/${o.namespace}/${o.name}`) }],
      resourceVersion: '48213',
      uid,
    },
    spec: {
      architecture: 'amd64',
      domain: {
        cpu: { cores: 1, maxSockets: 4, model: 'host-model', sockets: 1, threads: 1 },
        devices: {
          ...(o.autoattachPodInterface === false ? { autoattachPodInterface: false } : {}),
          disks: [
            { disk: { bus: 'virtio' }, name: 'containerdisk' },
            { disk: { bus: 'virtio' }, name: 'cloudinitdisk' },
          ],
          ...(interfaces === null ? {} : { interfaces: ifaceSpec }),
          rng: {},
        },
        features: { acpi: { enabled: true } },
        firmware: { serial: uidFor(`serial/${uid}`), uuid: uidFor(`fw/${uid}`) },
        machine: { type: 'q35' },
        memory: { guest: '2Gi', maxGuest: '8Gi' },
        resources: { requests: { memory: '2Gi' } },
      },
      evictionStrategy: 'LiveMigrate',
      ...(interfaces === null ? {} : { networks }),
      terminationGracePeriodSeconds: 180,
      volumes: [
        { containerDisk: { image: 'quay.io/containerdisks/fedora:41', imagePullPolicy: 'IfNotPresent' }, name: 'containerdisk' },
        { cloudInitNoCloud: { userData: '#cloud-config\nuser: fedora\npassword: fedora\nchpasswd: { expire: False }\n' }, name: 'cloudinitdisk' },
      ],
    },
    status: {
      ...(running ? { activePods: o.activePods ?? { [launcherUid(o.namespace, o.name)]: node } } : {}),
      conditions: [
        { lastProbeTime: null, lastTransitionTime: CREATED, status: running ? 'True' : 'False', type: 'Ready' },
        { lastProbeTime: null, lastTransitionTime: null, status: 'True', type: 'LiveMigratable' },
        { lastProbeTime: '2025-05-12T09:15:10Z', lastTransitionTime: null, status: 'True', type: 'AgentConnected' },
      ],
      currentCPUTopology: { cores: 1, sockets: 1, threads: 1 },
      guestOSInfo: { id: 'fedora', kernelRelease: '6.11.4-301.fc41.x86_64', name: 'Fedora Linux', prettyName: 'Fedora Linux 41 (Cloud Edition)', version: '41' },
      interfaces: (interfaces ?? []).map((i, n) => ({
        infoSource: 'domain, guest-agent',
        interfaceName: `eth${n}`,
        ipAddress: `10.244.${n}.${(parseInt(uid.slice(0, 2), 16) % 250) + 2}`,
        ipAddresses: [`10.244.${n}.${(parseInt(uid.slice(0, 2), 16) % 250) + 2}`],
        mac: `02:${uid.slice(0, 2)}:${uid.slice(2, 4)}:${uid.slice(4, 6)}:00:0${n}`,
        name: i.name,
        podInterfaceName: n === 0 ? 'eth0' : `pod${uid.slice(0, 11)}`,
        queueCount: 1,
      })),
      launcherContainerImageVersion: 'quay.io/kubevirt/virt-launcher:v1.5.0',
      machine: { type: 'pc-q35-rhel9.6.0' },
      migrationMethod: 'BlockMigration',
      migrationTransport: 'Unix',
      ...(o.migration
        ? {
            migrationState: {
              migrationUid: uidFor(`migration/${uid}`),
              sourceNode: o.migration.sourceNode,
              targetNode: o.migration.targetNode,
              targetPod: o.migration.targetPod,
              startTimestamp: '2025-05-12T10:00:00Z',
              ...(o.migration.completed || o.migration.failed ? { completed: true, endTimestamp: '2025-05-12T10:00:20Z' } : {}),
              ...(o.migration.failed ? { failed: true } : {}),
            },
          }
        : {}),
      ...(node ? { nodeName: node } : {}),
      phase,
      phaseTransitionTimestamps: [
        { phase: 'Pending', phaseTransitionTimestamp: CREATED },
        { phase: 'Scheduling', phaseTransitionTimestamp: CREATED },
        ...(running ? [{ phase: 'Scheduled', phaseTransitionTimestamp: '2025-05-12T09:14:15Z' }, { phase: 'Running', phaseTransitionTimestamp: '2025-05-12T09:14:19Z' }] : []),
      ],
      qosClass: 'Burstable',
      selinuxContext: 'none',
      volumeStatus: [
        { name: 'cloudinitdisk', size: 1048576, target: 'vdb' },
        { containerDiskVolume: { checksum: 1883711420 }, name: 'containerdisk', target: 'vda' },
      ],
    },
  };
}
