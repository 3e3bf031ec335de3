/**
 * submit's Pod Security decision: the workflow namespace's labels → go on, go on with a note, or
 * refuse with the kubectl line that fixes it; and the check around it when the labels cannot be
 * read (a warning, never a refusal).
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import type { Io } from '../../core/io.js';
import { KubeAccessError, KubeApiError, KubeConnectionError, KubeNotFoundError } from '../../kube/errors.js';
import { NAMESPACE_RESOURCE, type ApiRequest } from '../../kube/api-request.js';
import { checkPodSecurity } from '../../submit/pod-security-check.js';
import { podSecurityVerdict, privilegedLabelCommand, uncheckedWarning } from '../../submit/pod-security.js';

const FIX = 'kubectl label ns chaos pod-security.kubernetes.io/enforce=privileged --overwrite';

describe('podSecurityVerdict', () => {
  it('should go on silently when the namespace enforces privileged, whatever the version', () => {
    expect(podSecurityVerdict('chaos', { 'pod-security.kubernetes.io/enforce': 'privileged' })).toEqual({ verdict: 'ok' });
    expect(podSecurityVerdict('chaos', { 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/enforce-version': 'v1.25' })).toEqual({ verdict: 'ok' });
  });

  it.each(['baseline', 'restricted'])('should refuse a namespace enforcing %s with the label line that fixes it', (level) => {
    expect(podSecurityVerdict('chaos', { 'pod-security.kubernetes.io/enforce': level })).toEqual({
      verdict: 'refuse',
      message: `the node pods would be refused in namespace "chaos": its Pod Security level is "${level}" (label pod-security.kubernetes.io/enforce), and node pods mount a host path and add capabilities as root, which only "privileged" allows; nothing was created. Allow them with: ${FIX}`,
    });
  });

  it('should refuse baseline pinned to an old version too: every version of baseline forbids host paths', () => {
    expect(podSecurityVerdict('chaos', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v1.0' }).verdict).toBe('refuse');
  });

  it('should refuse a value that is not a level, which the admission enforces as restricted', () => {
    expect(podSecurityVerdict('chaos', { 'pod-security.kubernetes.io/enforce': 'Privileged' })).toEqual({
      verdict: 'refuse',
      message: `the node pods would be refused in namespace "chaos": its label pod-security.kubernetes.io/enforce="Privileged" is not a level (privileged, baseline, restricted), which Pod Security admission enforces as "restricted", and node pods mount a host path and add capabilities as root, which only "privileged" allows; nothing was created. Allow them with: ${FIX}`,
    });
  });

  it("should note the cluster's default level when the namespace has no enforce label, warn and audit labels included", () => {
    const note = `note: namespace "chaos" has no pod-security.kubernetes.io/enforce label: the cluster's default Pod Security level applies (privileged unless the API server's admission configuration sets another); if it is not privileged the node pods will be refused, allow them with: ${FIX}`;
    expect(podSecurityVerdict('chaos', {})).toEqual({ verdict: 'warn', message: note });
    expect(podSecurityVerdict('chaos', { 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'baseline' })).toEqual({ verdict: 'warn', message: note });
  });

  it('should give the kubectl line for the namespace asked about', () => {
    expect(privilegedLabelCommand('team-a')).toBe('kubectl label ns team-a pod-security.kubernetes.io/enforce=privileged --overwrite');
  });
});

describe('checkPodSecurity', () => {
  const request: ApiRequest = { verb: 'get', resource: NAMESPACE_RESOURCE, name: 'chaos' };
  function io(): Io & { said: string[] } {
    const said: string[] = [];
    return { out: () => undefined, err: (text) => void said.push(text), env: {}, said };
  }

  it('should throw a usage error (exit 2) with the verdict when the node pods would be refused', async () => {
    const out = io();
    const check = checkPodSecurity('chaos', async () => ({ 'pod-security.kubernetes.io/enforce': 'restricted' }), out);
    await expect(check).rejects.toThrow(UsageError);
    await expect(check).rejects.toThrow(/^the node pods would be refused in namespace "chaos": its Pod Security level is "restricted"/);
    expect(out.said).toEqual([]);
  });

  it('should say nothing for privileged, and the note for a namespace without the label', async () => {
    const quiet = io();
    await checkPodSecurity('chaos', async () => ({ 'pod-security.kubernetes.io/enforce': 'privileged' }), quiet);
    expect(quiet.said).toEqual([]);
    const noted = io();
    await checkPodSecurity('chaos', async () => ({}), noted);
    expect(noted.said).toEqual([
      `note: namespace "chaos" has no pod-security.kubernetes.io/enforce label: the cluster's default Pod Security level applies (privileged unless the API server's admission configuration sets another); if it is not privileged the node pods will be refused, allow them with: ${FIX}\n`,
    ]);
  });

  it('should go on with a warning naming the permission when reading the namespace is forbidden', async () => {
    const out = io();
    await checkPodSecurity('chaos', () => Promise.reject(new KubeAccessError(request, 403, { reason: 'Forbidden' }, 1)), out);
    expect(out.said).toEqual([
      'warning: could not read the Pod Security level of namespace "chaos" (HTTP 403: the submitting user may not get namespaces; the Role of "Submit and watch" in the README grants it for "chaos" alone); submitting without that check\n',
    ]);
  });

  it("should go on with a warning in the client's words when the API fails or cannot be reached", async () => {
    const failed = io();
    await checkPodSecurity('chaos', () => Promise.reject(new KubeApiError(request, 503, { reason: 'ServiceUnavailable' }, 2)), failed);
    expect(failed.said).toEqual(['warning: could not read the Pod Security level of namespace "chaos" (cannot get namespaces "chaos" at cluster scope: HTTP 503 ServiceUnavailable (after 2 attempts)); submitting without that check\n']);
    const unreachable = io();
    await checkPodSecurity('chaos', () => Promise.reject(new KubeConnectionError(request, 'https://api:6443', 'ECONNREFUSED', 2)), unreachable);
    expect(unreachable.said).toEqual(['warning: could not read the Pod Security level of namespace "chaos" (cannot get namespaces "chaos" at cluster scope: no answer from the Kubernetes API at https://api:6443: ECONNREFUSED (after 2 attempts)); submitting without that check\n']);
  });

  it('should leave a namespace that does not exist to the create, silently', async () => {
    const out = io();
    await checkPodSecurity('chaos', () => Promise.reject(new KubeNotFoundError(request, 404, { reason: 'NotFound' }, 1)), out);
    expect(out.said).toEqual([]);
  });

  it('should let an error that is not the API boundary\'s through', async () => {
    await expect(checkPodSecurity('chaos', () => Promise.reject(new TypeError('a bug')), io())).rejects.toThrow(TypeError);
  });

  // The Argo end-to-end test of the README's submitter Role rejects /forbidden/i on submit's
  // stderr: a cluster whose RBAC differs must not fail it through this warning.
  it('should not say "forbidden" in the 403 warning', () => {
    expect(uncheckedWarning('argo', { kind: 'forbidden' })).not.toMatch(/forbidden/i);
  });
});
