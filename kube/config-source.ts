/**
 * Which API configuration loadKubeConfig would use, decided without loading
 * `@kubernetes/client-node` (≈ 0.9 s): a step that only asks the API in passing (inject's clock
 * check) skips the library on nodes without API access. Same precedence as kube-config.ts
 * (KUBECONFIG, in-cluster, ~/.kube/config); whether the configuration is usable is still
 * loadKubeConfig's to say. Imports nothing that loads the client library, hence no import of
 * kube-config.ts at run time.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KubeConfigOptions } from './kube-config.js';

/** kube-config.ts's SERVICE_ACCOUNT_DIR, repeated here to keep the library unloaded (a test keeps the two equal). */
export const DEFAULT_SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * A description of the configuration loadKubeConfig would load (e.g. "KUBECONFIG /a/b"), or
 * undefined when there is none.
 */
export function kubeConfigSource(options: KubeConfigOptions): string | undefined {
  const { env } = options;
  if (options.kubeconfig !== undefined) return `--kubeconfig ${options.kubeconfig}`;
  if ((env.KUBECONFIG ?? '').split(delimiter).some((f) => f !== '')) return `KUBECONFIG ${env.KUBECONFIG}`;
  const saDir = options.serviceAccountDir ?? DEFAULT_SERVICE_ACCOUNT_DIR;
  if (env.KUBERNETES_SERVICE_HOST && existsSync(join(saDir, 'token'))) return `the service account in ${saDir}`;
  const home = join(options.home ?? homedir(), '.kube', 'config');
  return existsSync(home) ? home : undefined;
}
