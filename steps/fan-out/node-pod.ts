/**
 * The node pods of a fan-out (pure): one pod per node and step, pinned to its node, running
 * `step inject|verify|rollback --node N` on the VMIs the run ledger holds for that node. The
 * workflow engines see only the fan-out step that creates them, so an engine's own objects stay
 * the same size whatever the number of nodes (an Argo status node per pod would not).
 *
 * Names are deterministic (run, scenario, record, node, index): a retried fan-out finds the
 * pods it created before instead of starting a second set. Owned by the Workflow or PipelineRun,
 * like the ledger, so whatever is left is deleted with the run.
 */
import { createHash } from 'node:crypto';
import type { LedgerOwner, RecordName } from '../../kube/index.js';
import { LEDGER_LABELS } from '../../kube/index.js';
import type { Toleration } from '../../scenario/tolerations.js';

export const NODE_POD_LABELS = {
  run: LEDGER_LABELS.run,
  scenario: LEDGER_LABELS.scenario,
  /** The ledger record the pod writes: inject, verify, rollback or exit-rollback. */
  record: 'vmi-network-filter.io/record',
  /** Marks a node pod (as opposed to the engine's own pods of the run). */
  role: 'vmi-network-filter.io/role',
} as const;

/** Where and as what a node pod runs; the same for every node of one fan-out. */
export interface NodePodTemplate {
  readonly namespace: string;
  readonly owner: LedgerOwner;
  readonly scenario: number;
  readonly step: 'inject' | 'verify' | 'rollback';
  readonly record: RecordName;
  readonly image: string;
  readonly serviceAccount: string;
  readonly tolerations: readonly Toleration[];
  /** Privileged instead of NET_ADMIN and SYS_ADMIN only. */
  readonly privileged: boolean;
  /**
   * Find launchers through the host's /proc (mounted, plus SYS_PTRACE) instead of among the
   * network namespaces the runtime pins in /var/run/netns: for runtimes that do not pin them.
   */
  readonly procDiscovery: boolean;
  /** The scenario's krkn-hub variables, handed to the step as they came. */
  readonly env: readonly { readonly name: string; readonly value: string }[];
  /** The pod's own limit once started (`activeDeadlineSeconds`); the fan-out bounds Pending too. */
  readonly deadlineSeconds: number;
  /** inject: the synchronized onset's start (Unix seconds), from the ledger index. */
  readonly windowStart?: number;
}

/** One pod: its node, and the VMI's index in that node's ledger for a serial step. */
export interface NodePodPlace {
  readonly node: string;
  readonly index?: number;
}

/** A Pod as the API takes it (plain JSON). */
export interface NodePod {
  readonly apiVersion: 'v1';
  readonly kind: 'Pod';
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
    readonly ownerReferences: readonly Record<string, unknown>[];
  };
  readonly spec: Record<string, unknown>;
}

/** Where a node pod sees the node's pinned network namespaces (containerd, CRI-O: /var/run/netns). */
export const PINNED_NETNS_MOUNT = '/host/run/netns';
/** Where a node pod sees the host's /proc with --proc-discovery. */
export const HOST_PROC_MOUNT = '/host/proc';

/**
 * What a node pod mounts from the node, its discovery flag and its capabilities. By default only
 * the pin directory: entering a pinned namespace takes SYS_ADMIN (setns) and NET_ADMIN (rules),
 * while the host's /proc would take SYS_PTRACE and open every process's files (/proc/PID/root).
 */
function nodeAccess(procDiscovery: boolean) {
  return procDiscovery
    ? {
        flag: `--proc=${HOST_PROC_MOUNT}`,
        capabilities: ['NET_ADMIN', 'SYS_ADMIN', 'SYS_PTRACE'],
        volume: { name: 'host-proc', hostPath: { path: '/proc', type: 'Directory' } },
        mount: { name: 'host-proc', mountPath: HOST_PROC_MOUNT, readOnly: true },
      }
    : {
        flag: `--netns-dir=${PINNED_NETNS_MOUNT}`,
        capabilities: ['NET_ADMIN', 'SYS_ADMIN'],
        volume: { name: 'pinned-netns', hostPath: { path: '/var/run/netns', type: 'Directory' } },
        // HostToContainer: a launcher deleted meanwhile is unpinned here too, instead of our
        // copy of the mount keeping its namespace alive until this pod ends.
        mount: { name: 'pinned-netns', mountPath: PINNED_NETNS_MOUNT, readOnly: true, mountPropagation: 'HostToContainer' },
      };
}

/** The node's name is an annotation (a label value cannot hold every node name). */
export const NODE_ANNOTATION = 'vmi-network-filter.io/node';

/**
 * `vnf-<run>-<scenario>-<record>-<hash of node and index>`: at most 78 characters, a valid pod
 * name whatever the node is called.
 */
export function nodePodName(runId: string, scenario: number, record: RecordName, place: NodePodPlace): string {
  const hash = createHash('sha256').update(place.index === undefined ? place.node : `${place.node}\n${place.index}`).digest('hex').slice(0, 12);
  return `vnf-${runId.toLowerCase()}-${scenario}-${record}-${hash}`;
}

/** The label selector of one fan-out's pods. */
export function nodePodSelector(runId: string, scenario: number, record: RecordName): string {
  return `${NODE_POD_LABELS.run}=${runId},${NODE_POD_LABELS.scenario}=${scenario},${NODE_POD_LABELS.record}=${record},${NODE_POD_LABELS.role}=node-step`;
}

/** The pod that runs `template`'s step on `place`. */
export function nodePod(template: NodePodTemplate, place: NodePodPlace): NodePod {
  const { owner, scenario, record } = template;
  const access = nodeAccess(template.procDiscovery);
  const args = [
    'step',
    template.step,
    `--node=${place.node}`,
    ...(place.index === undefined ? [] : [`--index=${place.index}`]),
    `--record-as=${record}`,
    `--scenario-number=${scenario}`,
    `--run-id=${owner.uid}`,
    access.flag,
    ...(template.windowStart === undefined ? [] : [`--window-start=${template.windowStart}`]),
  ];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: nodePodName(owner.uid, scenario, record, place),
      namespace: template.namespace,
      labels: {
        [NODE_POD_LABELS.run]: owner.uid,
        [NODE_POD_LABELS.scenario]: String(scenario),
        [NODE_POD_LABELS.record]: record,
        [NODE_POD_LABELS.role]: 'node-step',
        'app.kubernetes.io/name': 'vmi-network-filter',
      },
      annotations: { [NODE_ANNOTATION]: place.node },
      // No blockOwnerDeletion: it would need `update` on the owner's finalizers.
      ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid }],
    },
    spec: {
      restartPolicy: 'Never',
      serviceAccountName: template.serviceAccount,
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      // Through the scheduler, not spec.nodeName: taints, cordons and a full node keep the pod
      // Pending (the fan-out's deadline ends it) instead of failing it on a kubelet's admission.
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [place.node] }] }] } } },
      tolerations: template.tolerations,
      activeDeadlineSeconds: template.deadlineSeconds,
      terminationGracePeriodSeconds: 30,
      containers: [
        {
          name: template.step,
          image: template.image,
          command: ['vmi-network-filter'],
          args,
          // A failed step's last log line (its error) becomes the pod's termination message:
          // the fan-out reports it without reading logs.
          terminationMessagePolicy: 'FallbackToLogsOnError',
          env: [...template.env, { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
          securityContext: template.privileged
            ? { privileged: true, runAsUser: 0 }
            : {
                runAsUser: 0,
                runAsNonRoot: false,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'], add: access.capabilities },
                seccompProfile: { type: 'RuntimeDefault' },
              },
          resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
          volumeMounts: [access.mount, { name: 'tmp', mountPath: '/tmp' }],
        },
      ],
      volumes: [access.volume, { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } }],
    },
  };
}
