/**
 * Realistic KubeVirt objects for the test API server, shaped on kubevirt.io/v1
 * VirtualMachineInstance and the virt-launcher pods virt-controller creates (labels
 * `kubevirt.io=virt-launcher`, `kubevirt.io/created-by=<vmi uid>`, `vm.kubevirt.io/name`, the
 * controller owner reference to the VMI, the `compute` container). Sizes are close to real ones,
 * so the benchmark parses what a cluster would send.
 */
import { createHash } from 'node:crypto';

/** A deterministic UID (UUID-shaped) from any text: stable fixtures, distinct per object. */
export function uidFor(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A binding as it appears in an interface spec: core name or a network binding plugin. */
export type InterfaceSpecBinding = 'masquerade' | 'bridge' | 'passt' | 'slirp' | 'sriov' | 'macvtap' | { readonly plugin: string };

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

/** The UID the default launcher pod fixture of a VMI gets (also its default activePods key). */
export function launcherUid(namespace: string, vmiName: string, generation = 0): string {
  return uidFor(`pod/${namespace}/${vmiName}/${generation}`);
}

export interface LauncherPodOptions {
  readonly namespace: string;
  /** The VMI's name and uid. */
  readonly vmiName: string;
  readonly vmiUid?: string;
  /** Distinguishes the pods of one VMI (0: first pod, 1: a migration target, …). @default 0 */
  readonly generation?: number;
  /** @default 'worker-0' */
  readonly node?: string;
  /** @default 'Running' */
  readonly phase?: string;
  /** How the pod names its VMI. @default 'both' */
  readonly link?: 'label' | 'owner' | 'both';
}

/** A virt-launcher pod as virt-controller creates it. */
export function launcherPodObject(o: LauncherPodOptions): Record<string, unknown> {
  const generation = o.generation ?? 0;
  const vmiUid = o.vmiUid ?? uidFor(`vmi/${o.namespace}/${o.vmiName}`);
  const uid = launcherUid(o.namespace, o.vmiName, generation);
  const node = o.node ?? 'worker-0';
  const phase = o.phase ?? 'Running';
  const link = o.link ?? 'both';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      annotations: {
        'k8s.v1.cni.cncf.io/network-status': `[{"name":"ovn-kubernetes","interface":"eth0","ips":["10.244.0.${(parseInt(uid.slice(0, 2), 16) % 250) + 2}"],"mac":"0a:58:0a:f4:00:17","default":true,"dns":{}}]`,
        'kubectl.kubernetes.io/default-container': 'compute',
        'kubevirt.io/domain': o.vmiName,
        'kubevirt.io/migrationTransportUnix': 'true',
        'kubevirt.io/vm-generation': '1',
        'post.hook.backup.velero.io/command': `["/usr/bin/virt-freezer", "--unfreeze", "--name", "${o.vmiName}", "--namespace", "${o.namespace}"]`,
        'post.hook.backup.velero.io/container': 'compute',
        'pre.hook.backup.velero.io/command': `["/usr/bin/virt-freezer", "--freeze", "--name", "${o.vmiName}", "--namespace", "${o.namespace}"]`,
        'pre.hook.backup.velero.io/container': 'compute',
      },
      creationTimestamp: CREATED,
      generateName: `virt-launcher-${o.vmiName}-`,
      labels: {
        'kubevirt.io': 'virt-launcher',
        ...(link === 'owner' ? {} : { 'kubevirt.io/created-by': vmiUid }),
        'kubevirt.io/nodeName': node,
        'vm.kubevirt.io/name': o.vmiName,
      },
      name: launcherPodName(o.vmiName, generation),
      namespace: o.namespace,
      ...(link === 'label'
        ? {}
        : { ownerReferences: [{ apiVersion: 'kubevirt.io/v1', blockOwnerDeletion: true, controller: true, kind: 'VirtualMachineInstance', name: o.vmiName, uid: vmiUid }] }),
      resourceVersion: '48207',
      uid,
    },
    spec: {
      automountServiceAccountToken: false,
      containers: [
        {
          command: ['/usr/bin/virt-launcher-monitor', '--qemu-timeout', '259s', '--name', o.vmiName, '--uid', vmiUid, '--namespace', o.namespace, '--kubevirt-share-dir', '/var/run/kubevirt', '--ephemeral-disk-dir', '/var/run/kubevirt-ephemeral-disks', '--container-disk-dir', '/var/run/kubevirt/container-disks', '--grace-period-seconds', '195', '--hook-sidecars', '0', '--ovmf-path', '/usr/share/OVMF', '--run-as-nonroot'],
          env: [{ name: 'XDG_CACHE_HOME', value: '/var/run/kubevirt-private' }, { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }],
          image: 'quay.io/kubevirt/virt-launcher:v1.5.0',
          imagePullPolicy: 'IfNotPresent',
          name: 'compute',
          resources: { limits: { 'devices.kubevirt.io/kvm': '1', 'devices.kubevirt.io/tun': '1', 'devices.kubevirt.io/vhost-net': '1' }, requests: { cpu: '100m', 'devices.kubevirt.io/kvm': '1', 'devices.kubevirt.io/tun': '1', 'devices.kubevirt.io/vhost-net': '1', 'ephemeral-storage': '50M', memory: '2294Mi' } },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }, privileged: false, runAsGroup: 107, runAsNonRoot: true, runAsUser: 107 },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          volumeMounts: [
            { mountPath: '/var/run/kubevirt-private', name: 'private' },
            { mountPath: '/var/run/kubevirt', name: 'public' },
            { mountPath: '/var/run/kubevirt-ephemeral-disks', name: 'ephemeral-disks' },
            { mountPath: '/var/run/kubevirt/container-disks', mountPropagation: 'HostToContainer', name: 'container-disks' },
            { mountPath: '/var/run/libvirt', name: 'libvirt-runtime' },
            { mountPath: '/var/run/kubevirt/sockets', name: 'sockets' },
          ],
        },
      ],
      dnsPolicy: 'ClusterFirst',
      enableServiceLinks: false,
      hostname: o.vmiName,
      nodeName: node,
      nodeSelector: { 'kubernetes.io/arch': 'amd64', 'kubevirt.io/schedulable': 'true' },
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      readinessGates: [{ conditionType: 'kubevirt.io/virtual-machine-unpaused' }],
      restartPolicy: 'Never',
      schedulerName: 'default-scheduler',
      securityContext: { fsGroup: 107, runAsGroup: 107, runAsNonRoot: true, runAsUser: 107 },
      serviceAccount: 'default',
      serviceAccountName: 'default',
      terminationGracePeriodSeconds: 210,
      tolerations: [
        { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
        { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
      ],
      volumes: [
        { emptyDir: {}, name: 'private' },
        { emptyDir: {}, name: 'public' },
        { emptyDir: {}, name: 'sockets' },
        { emptyDir: {}, name: 'virt-bin-share-dir' },
        { emptyDir: {}, name: 'libvirt-runtime' },
        { emptyDir: {}, name: 'ephemeral-disks' },
        { emptyDir: {}, name: 'container-disks' },
      ],
    },
    status: {
      conditions: [
        { lastProbeTime: null, lastTransitionTime: CREATED, status: 'True', type: 'kubevirt.io/virtual-machine-unpaused' },
        { lastProbeTime: null, lastTransitionTime: '2025-05-12T09:14:07Z', status: phase === 'Running' ? 'True' : 'False', type: 'Initialized' },
        { lastProbeTime: null, lastTransitionTime: '2025-05-12T09:14:18Z', status: phase === 'Running' ? 'True' : 'False', type: 'Ready' },
        { lastProbeTime: null, lastTransitionTime: '2025-05-12T09:14:18Z', status: phase === 'Running' ? 'True' : 'False', type: 'ContainersReady' },
        { lastProbeTime: null, lastTransitionTime: CREATED, status: 'True', type: 'PodScheduled' },
      ],
      containerStatuses: [
        {
          containerID: `cri-o://${createHash('sha256').update(uid).digest('hex')}`,
          image: 'quay.io/kubevirt/virt-launcher:v1.5.0',
          imageID: 'quay.io/kubevirt/virt-launcher@sha256:5a2c1e7c6d0b1f9a4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f',
          lastState: {},
          name: 'compute',
          ready: phase === 'Running',
          restartCount: 0,
          started: phase === 'Running',
          state: phase === 'Running' ? { running: { startedAt: '2025-05-12T09:14:17Z' } } : { terminated: { exitCode: 0, finishedAt: '2025-05-12T10:00:25Z', reason: 'Completed', startedAt: '2025-05-12T09:14:17Z' } },
        },
      ],
      hostIP: '192.168.122.11',
      hostIPs: [{ ip: '192.168.122.11' }],
      phase,
      podIP: '10.244.0.23',
      podIPs: [{ ip: '10.244.0.23' }],
      qosClass: 'Burstable',
      startTime: CREATED,
    },
  };
}

/** virt-launcher-<vmi>-<5 chars>, as the generateName suffix makes it. */
export function launcherPodName(vmiName: string, generation = 0): string {
  return `virt-launcher-${vmiName}-${uidFor(`${vmiName}/${generation}`).replace(/[^a-z0-9]/g, '').slice(0, 5)}`;
}
