/** The node pod template of the fan-out tests: one run's inject on namespace argo, overridable. */
import type { NodePodTemplate } from '../../steps/fan-out/node-pod.js';

export const RUN = '3f2c9a10-1b2c-4d5e-8f90-0a1b2c3d4e5f';

export function testTemplate(overrides: Partial<NodePodTemplate> = {}): NodePodTemplate {
  return {
    namespace: 'argo',
    owner: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', name: 'chaos-x7k2p', uid: RUN },
    scenario: 1,
    step: 'inject',
    record: 'inject',
    image: 'vmi-network-filter:test',
    serviceAccount: 'vmi-network-filter',
    tolerations: [],
    privileged: false,
    procDiscovery: false,
    env: [],
    deadlineSeconds: 60,
    ...overrides,
  };
}
