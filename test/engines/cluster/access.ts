/**
 * Who may talk to the test cluster, and how: static bearer tokens (the API server's
 * --token-auth-file) for the components and the test users, and kubeconfig files built from
 * them. Service accounts are not here: their tokens come from the TokenRequest API, as in any
 * cluster.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One static identity. */
export interface Identity {
  readonly user: string;
  readonly groups: readonly string[];
  readonly token: string;
}

const identity = (user: string, ...groups: string[]): Identity => ({ user, groups, token: randomBytes(24).toString('hex') });

/** The identities of the components and of the tests' users. */
export function makeIdentities(nodeNames: readonly string[]): Record<string, Identity> {
  const ids: Record<string, Identity> = {
    admin: identity('vnf-test-admin', 'system:masters'),
    controllerManager: identity('system:kube-controller-manager'),
    scheduler: identity('system:kube-scheduler'),
    kubeProxy: identity('system:kube-proxy'),
    argoController: identity('vnf-argo-controller'),
    tektonController: identity('vnf-tekton-controller'),
    submitter: identity('vnf-submitter'),
    stranger: identity('vnf-stranger'),
  };
  for (const node of nodeNames) ids[`node:${node}`] = identity(`system:node:${node}`, 'system:nodes');
  return ids;
}

/** Writes the API server's --token-auth-file (CSV: token,user,uid,"groups"). */
export function writeTokenFile(dir: string, ids: Record<string, Identity>): string {
  const file = join(dir, 'tokens.csv');
  const lines = Object.values(ids).map((id) => `${id.token},${id.user},${id.user},"${id.groups.join(',')}"`);
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

/** Writes a kubeconfig for `server` authenticating with `token`; returns its path. */
export function writeKubeconfigFile(file: string, server: string, caFile: string, token: string, namespace?: string): string {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'vnf-test', cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name: 'user', user: { token } }],
    contexts: [{ name: 'vnf-test', context: { cluster: 'vnf-test', user: 'user', ...(namespace ? { namespace } : {}) } }],
    'current-context': 'vnf-test',
  };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return file;
}
