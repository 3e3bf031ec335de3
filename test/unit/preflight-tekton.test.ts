import { describe, expect, it } from 'vitest';
import { coscheduleProblem, tektonVersionProblem } from '../../steps/preflight/tekton.js';
import { isOlderThan, parseVersion } from '../../steps/preflight/version.js';

describe("select's checks of the Tekton it runs under", () => {
  it('should refuse Tekton before 1.3, accept 1.3 and later, and pass an unknown version', () => {
    expect(tektonVersionProblem('v1.2.9')).toMatch(/^Tekton Pipelines v1\.2\.9 is older than 1\.3\.0: .*Pending/);
    expect(tektonVersionProblem('v0.68.0')).toMatch(/older than 1\.3\.0/);
    for (const ok of ['v1.3.0', 'v1.3.1', 'v1.15.1', '2.0.0', 'devel', '']) expect(tektonVersionProblem(ok)).toBeUndefined();
    expect(parseVersion('v1.15.1')).toEqual([1, 15, 1]);
    expect([isOlderThan('v1.2.9', '1.3.0'), isOlderThan('v1.3.0', '1.3.0'), isOlderThan('1.10.0', '1.3.0'), isOlderThan('latest', '1.3.0')]).toEqual([true, false, false, false]);
  });

  const assistant = (nodeName: string) => ({
    spec: {
      nodeName,
      affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { 'app.kubernetes.io/instance': 'affinity-assistant-1a2b', 'app.kubernetes.io/component': 'affinity-assistant' } } }] } },
    },
  });

  it('should refuse a run tied to one node by the affinity assistant when VMIs run elsewhere', () => {
    expect(coscheduleProblem(assistant('node-1'), ['node-1', 'node-2', 'node-2'])).toMatch(/every pod of this run on node node-1 .* VMIs run on node-2: .*coschedule/);
  });

  it('should let it be when every VMI is on the same node, or without the assistant', () => {
    expect(coscheduleProblem(assistant('node-1'), ['node-1'])).toBeUndefined();
    expect(coscheduleProblem({ spec: { nodeName: 'node-1' } }, ['node-2'])).toBeUndefined();
    expect(coscheduleProblem({ spec: { nodeName: 'node-1', affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } } }] } } } }, ['node-2'])).toBeUndefined();
  });
});
