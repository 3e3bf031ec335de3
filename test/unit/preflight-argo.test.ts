import { describe, expect, it } from 'vitest';
import { argoExecutorProblem, imageTag } from '../../steps/preflight/argo.js';

const pod = (image: string) => ({ spec: { initContainers: [{ name: 'init', image }], containers: [{ name: 'wait', image }, { name: 'main', image: 'ghcr.io/x/vmi-network-filter:0.1.0' }] } });

describe("select's check of the Argo it runs under", () => {
  it("should refuse an executor of Argo before 3.6, naming the image and what breaks", () => {
    expect(argoExecutorProblem(pod('quay.io/argoproj/argoexec:v3.5.15'))).toMatch(/^Argo's executor here is quay\.io\/argoproj\/argoexec:v3\.5\.15: .*mutexes/);
    expect(argoExecutorProblem(pod('registry.local:5000/argoexec:v2.12.0'))).toMatch(/before 3\.6\.0/);
  });

  it('should let 3.6 and later pass, and an image whose tag says no version', () => {
    for (const image of ['quay.io/argoproj/argoexec:v3.6.18', 'quay.io/argoproj/argoexec:v4.1.4', 'localhost/vnf-argoexec:v3.6.0', 'quay.io/argoproj/argoexec:latest', 'registry.local:5000/argoexec@sha256:abc', 'argoexec']) {
      expect(argoExecutorProblem(pod(image)), image).toBeUndefined();
    }
    expect(argoExecutorProblem({ spec: { containers: [{ name: 'main', image: 'x:v1.0.0' }] } })).toBeUndefined();
  });

  it('should read the tag, not a registry port', () => {
    expect([imageTag('registry.local:5000/argoexec'), imageTag('registry.local:5000/argoexec:v3.6.1'), imageTag('a/b:v1@sha256:ff')]).toEqual([undefined, 'v3.6.1', 'v1']);
  });
});
