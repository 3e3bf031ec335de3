import { describe, expect, it } from 'vitest';
import { renderRbac } from '../../generator/render.js';
import { toYaml } from '../../generator/yaml.js';

describe('RBAC for Tekton', () => {
  it('should grant the steps exactly what they use, without the Argo executor rule', () => {
    const [sa, role, binding] = renderRbac({ namespace: 'chaos', engine: 'tekton' }).objects as any[];
    expect(sa).toMatchObject({ kind: 'ServiceAccount', metadata: { name: 'vmi-network-filter', namespace: 'chaos' } });
    expect(role.rules).toEqual([
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachineinstances'], verbs: ['list'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
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
    // No get of pods: under Tekton, select reads Tekton's version from pipelines-info, not its own pod.
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get', 'list', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete'] },
      { apiGroups: ['tekton.dev'], resources: ['pipelineruns'], verbs: ['get'] },
    ]);
    expect(binding).toMatchObject({ kind: 'RoleBinding', metadata: { namespace: 'chaos' }, roleRef: { kind: 'Role', name: 'vmi-network-filter' }, subjects: [{ kind: 'ServiceAccount', name: 'vmi-network-filter', namespace: 'chaos' }] });
    // Argo: the same Role for the ledger, select's get of its own pod (Argo's version), and its
    // executor's rule instead of the PipelineRun one.
    const argo = renderRbac({ namespace: 'chaos', engine: 'argo' }).objects as any[];
    expect(argo.map((o) => o.kind)).toEqual(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
    expect(argo[3].rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get', 'list', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete', 'get'] },
      { apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] },
    ]);
  });

  it('should keep the Argo rule for Argo, the default', () => {
    expect(renderRbac({ namespace: 'chaos' }).yaml).toBe(renderRbac({ namespace: 'chaos', engine: 'argo' }).yaml);
    expect((renderRbac({ engine: 'argo' }).objects[3] as any).rules[2]).toEqual({ apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] });
  });

  it.each(['argo', 'tekton'] as const)('should precede every %s rule of the YAML with its reason, as a comment', (engine) => {
    const { yaml, objects } = renderRbac({ namespace: 'chaos', engine });
    const lines = yaml.split('\n');
    const rules = lines.flatMap((line, i) => (line === '  - apiGroups:' ? [i] : []));
    // Two rules in the ClusterRole, three in the Role.
    expect(rules).toHaveLength(5);
    expect((objects as any[]).flatMap((o) => o.rules ?? [])).toHaveLength(5);
    for (const i of rules) expect(lines[i - 1], `the line before rule line ${i + 1}`).toMatch(/^ {2}# \S/);
    // The comments are the template's: the reasons, not just any text.
    expect(yaml).toContain('  # select: list VMIs cluster-wide (server-side label selector); verify: list its node\'s VMIs\n');
    // The comments are all that differs from the objects' plain YAML.
    expect(lines.filter((line) => !/^ *# /.test(line)).join('\n')).toBe(toYaml(objects));
    expect(yaml).toContain(engine === 'argo' ? "  # Argo's emissary executor writes each step's outputs as a WorkflowTaskResult.\n" : "  # The report (finally) reads its own PipelineRun's skipped tasks.");
  });
});
