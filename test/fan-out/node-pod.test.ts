import { describe, expect, it } from 'vitest';
import { nodePod, nodePodName, nodePodSelector } from '../../steps/fan-out/node-pod.js';
import { RUN, testTemplate } from './template.js';

const template = testTemplate({
  scenario: 2,
  step: 'rollback',
  record: 'exit-rollback',
  image: 'registry.example/vmi-network-filter:0.1.0',
  tolerations: [{ key: 'node-role.kubernetes.io/infra', operator: 'Exists', effect: 'NoSchedule' }],
  env: [{ name: 'PORTS', value: '53' }],
  deadlineSeconds: 90,
});
type Container = { args: string[]; env: unknown[]; securityContext: Record<string, unknown>; image: string };
const container = (pod: ReturnType<typeof nodePod>): Container => (pod.spec.containers as Container[])[0]!;

describe('node pods', () => {
  it("should pin the pod to its node through the scheduler and run the node step on the node's part of the ledger", () => {
    const pod = nodePod(template, { node: 'worker-7.example.com' });
    expect(pod.metadata).toEqual({
      name: nodePodName(RUN, 2, 'exit-rollback', { node: 'worker-7.example.com' }),
      namespace: 'argo',
      labels: {
        'vmi-network-filter.io/run': RUN,
        'vmi-network-filter.io/scenario': '2',
        'vmi-network-filter.io/record': 'exit-rollback',
        'vmi-network-filter.io/role': 'node-step',
        'app.kubernetes.io/name': 'vmi-network-filter',
      },
      annotations: { 'vmi-network-filter.io/node': 'worker-7.example.com' },
      ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', name: 'chaos-x7k2p', uid: RUN }],
    });
    expect(pod.spec.affinity).toEqual({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['worker-7.example.com'] }] }] } } });
    expect(pod.spec).toMatchObject({ restartPolicy: 'Never', serviceAccountName: 'vmi-network-filter', activeDeadlineSeconds: 90, tolerations: template.tolerations });
    expect(pod.spec.nodeName).toBeUndefined();
    expect(container(pod).args).toEqual(['step', 'rollback', '--node=worker-7.example.com', '--record-as=exit-rollback', '--scenario-number=2', `--run-id=${RUN}`, '--netns-dir=/host/run/netns']);
    expect(container(pod).image).toBe(template.image);
    expect(container(pod)).toMatchObject({ terminationMessagePolicy: 'FallbackToLogsOnError' });
    expect(container(pod).env).toEqual([{ name: 'PORTS', value: '53' }, { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }]);
  });

  it("should mount only the node's pinned network namespaces, without SYS_PTRACE, under the runtime's default seccomp profile", () => {
    const pod = nodePod(template, { node: 'worker-7.example.com' });
    expect(pod.spec.securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
    expect(container(pod).securityContext).toEqual({
      runAsUser: 0,
      runAsNonRoot: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'SYS_ADMIN'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.spec.volumes).toEqual([
      { name: 'pinned-netns', hostPath: { path: '/var/run/netns', type: 'Directory' } },
      { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
    ]);
    expect((pod.spec.containers as { volumeMounts: unknown[] }[])[0]!.volumeMounts).toEqual([
      { name: 'pinned-netns', mountPath: '/host/run/netns', readOnly: true, mountPropagation: 'HostToContainer' },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
  });

  it("should mount the host's /proc and add SYS_PTRACE only for --proc-discovery", () => {
    const pod = nodePod({ ...template, procDiscovery: true }, { node: 'w1' });
    expect(container(pod).args).toContain('--proc=/host/proc');
    expect(container(pod).args.some((a) => a.startsWith('--netns-dir'))).toBe(false);
    expect(container(pod).securityContext).toMatchObject({ capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'SYS_ADMIN', 'SYS_PTRACE'] } });
    expect(pod.spec.volumes).toEqual([
      { name: 'host-proc', hostPath: { path: '/proc', type: 'Directory' } },
      { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
    ]);
  });

  it('should give one name per run, scenario, record, node and index, a valid pod name whatever the node is called', () => {
    const names = [
      nodePodName(RUN, 1, 'inject', { node: 'a' }),
      nodePodName(RUN, 2, 'inject', { node: 'a' }),
      nodePodName(RUN, 1, 'rollback', { node: 'a' }),
      nodePodName(RUN, 1, 'inject', { node: 'b' }),
      nodePodName(RUN, 1, 'inject', { node: 'a', index: 0 }),
      nodePodName(RUN, 1, 'inject', { node: 'a', index: 1 }),
    ];
    expect(new Set(names).size).toBe(names.length);
    expect(nodePodName(RUN, 1, 'inject', { node: 'a' })).toBe(nodePodName(RUN, 1, 'inject', { node: 'a' }));
    const long = nodePodName(RUN.toUpperCase(), 9999, 'exit-rollback', { node: `${'n'.repeat(250)}.x`, index: 269 });
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(long.length).toBeLessThanOrEqual(80);
  });

  it('should run a serial round on one VMI, and privileged only when asked', () => {
    const serial = nodePod({ ...template, step: 'inject', record: 'inject', privileged: true }, { node: 'w1', index: 3 });
    expect(container(serial).args).toContain('--index=3');
    expect(container(serial).securityContext).toEqual({ privileged: true, runAsUser: 0 });
    expect(nodePodSelector(RUN, 2, 'verify')).toBe(`vmi-network-filter.io/run=${RUN},vmi-network-filter.io/scenario=2,vmi-network-filter.io/record=verify,vmi-network-filter.io/role=node-step`);
  });
});
