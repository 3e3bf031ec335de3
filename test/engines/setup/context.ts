/** What the engine tests get from the global setup (`inject('engines')`), and helpers on it. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { KubeRest } from '../fixtures/kube-rest.js';

/** The running engine-test cluster, as the tests see it. */
export interface EnginesContext {
  /** https://127.0.0.1:PORT */
  readonly server: string;
  readonly caFile: string;
  /** The cluster's work folder (logs of every component). */
  readonly dir: string;
  /** Static bearer tokens by identity (admin, submitter, stranger, …). */
  readonly tokens: Readonly<Record<string, string>>;
  /** Nodes with a kubelet. */
  readonly nodes: readonly string[];
  /** Our step image, as the nodes hold it. */
  readonly stepImage: string;
  /** The Argo controllers: each manages its own namespace. */
  readonly argo: readonly { readonly version: string; readonly namespace: string; readonly logFile: string }[];
  /** The Tekton controller (one per cluster; PipelineRuns of any namespace). */
  readonly tekton: { readonly version: string; readonly logFile: string };
  /** Folders of the built binaries, by module (argo-validate, kubectl, …). */
  readonly bins: Readonly<Record<string, string>>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    engines: EnginesContext;
  }
}

/** The cluster of this test run. */
export const engines = (): EnginesContext => inject('engines');

/** A REST client for one of the static identities (default: the cluster admin). */
export function kubeAs(identity = 'admin'): KubeRest {
  const e = engines();
  const token = e.tokens[identity];
  if (!token) throw new Error(`no test identity ${identity}`);
  return new KubeRest(e.server, e.caFile, token);
}

/** A kubeconfig file for one of the static identities (for the CLI under test); remove its folder when done. */
export function kubeconfigFile(identity: string, namespace?: string): string {
  const token = engines().tokens[identity];
  if (!token) throw new Error(`no test identity ${identity}`);
  return kubeconfigWithToken(token, namespace);
}

/** A kubeconfig file for a bearer token (e.g. a service account's); remove its folder when done. */
export function kubeconfigWithToken(token: string, namespace?: string): string {
  const e = engines();
  const file = join(mkdtempSync(join(tmpdir(), 'vnfe-kubeconfig-')), 'config');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server: e.server, 'certificate-authority': e.caFile } }],
      users: [{ name: 'user', user: { token } }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: 'user', ...(namespace ? { namespace } : {}) } }],
      'current-context': 'test',
    }),
  );
  return file;
}
