/**
 * Realistic virt-launcher pods for the test API server, as virt-controller creates them: labels
 * `kubevirt.io=virt-launcher`, `kubevirt.io/created-by=<vmi uid>`, `vm.kubevirt.io/name`, the
 * controller owner reference to the VMI, the `compute` container, velero hooks.
 */
import { createHash } from 'node:crypto';
import { launcherPodName, launcherUid, uidFor } from './fixture-ids.js';

const CREATED = '2025-05-12T09:14:03Z';

/** What a launcher pod fixture varies. */
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

/** The pod IP of a launcher pod: one per pod, derived from its UID. */
export function launcherPodIp(namespace: string, vmiName: string, generation = 0): string {
  return `10.244.0.${(parseInt(launcherUid(namespace, vmiName, generation).slice(0, 2), 16) % 250) + 2}`;
}

/** A virt-launcher pod as virt-controller creates it. */
export function launcherPodObject(o: LauncherPodOptions): Record<string, unknown> {
  const generation = o.generation ?? 0;
  const vmiUid = o.vmiUid ?? uidFor(`vmi/${o.namespace}/${o.vmiName}`);
  const uid = launcherUid(o.namespace, o.vmiName, generation);
  const node = o.node ?? 'worker-0';
  const phase = o.phase ?? 'Running';
  const link = o.link ?? 'both';
  const ip = launcherPodIp(o.namespace, o.vmiName, generation);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      annotations: {
        'k8s.v1.cni.cncf.io/network-status': `[{"name":"ovn-kubernetes","interface":"eth0","ips":["${ip}"],"mac":"0a:58:0a:f4:00:17","default":true,"dns":{}}]`,
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
      podIP: ip,
      podIPs: [{ ip }],
      qosClass: 'Burstable',
      startTime: CREATED,
    },
  };
}
