import { describe, expect, it } from 'vitest';
import { renderRbac } from '../../generator/render.js';

describe('RBAC for Tekton', () => {
  it('should grant the steps exactly what they use, without the Argo executor rule', () => {
    const [sa, role, binding] = renderRbac({ namespace: 'chaos', engine: 'tekton' }).objects as any[];
    expect(sa).toMatchObject({ kind: 'ServiceAccount', metadata: { name: 'vmi-network-filter', namespace: 'chaos' } });
    expect(role.rules).toEqual([
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachineinstances'], verbs: ['list'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
    ]);
    expect(binding).toMatchObject({
      kind: 'ClusterRoleBinding',
      metadata: { name: 'vmi-network-filter-chaos' },
      roleRef: { kind: 'ClusterRole', name: 'vmi-network-filter' },
      subjects: [{ kind: 'ServiceAccount', name: 'vmi-network-filter', namespace: 'chaos' }],
    });
  });

  it("should grant the run ledger's verbs, the fan-outs' node pods and the report's read of its PipelineRun in the runs' namespace only", () => {
    const [, , , role, binding] = renderRbac({ namespace: 'chaos', engine: 'tekton' }).objects as any[];
    expect(role).toMatchObject({ kind: 'Role', metadata: { name: 'vmi-network-filter', namespace: 'chaos' } });
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get', 'list', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete'] },
      { apiGroups: ['tekton.dev'], resources: ['pipelineruns'], verbs: ['get'] },
    ]);
    expect(binding).toMatchObject({ kind: 'RoleBinding', metadata: { namespace: 'chaos' }, roleRef: { kind: 'Role', name: 'vmi-network-filter' }, subjects: [{ kind: 'ServiceAccount', name: 'vmi-network-filter', namespace: 'chaos' }] });
    // Argo: the same Role for the ledger, with its executor's rule instead of the PipelineRun one.
    const argo = renderRbac({ namespace: 'chaos', engine: 'argo' }).objects as any[];
    expect(argo.map((o) => o.kind)).toEqual(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
    expect(argo[3].rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get', 'list', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete'] },
      { apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] },
    ]);
  });

  it('should keep the Argo rule for Argo, the default', () => {
    expect(renderRbac({ namespace: 'chaos' }).yaml).toBe(renderRbac({ namespace: 'chaos', engine: 'argo' }).yaml);
    expect((renderRbac({ engine: 'argo' }).objects[3] as any).rules[2]).toEqual({ apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] });
  });
});
