/**
 * The namespace kubectl and argo would use when none is given: the current (or `--context`)
 * context's `namespace` in the kubeconfig, or the pod's own namespace in a cluster. Read with the
 * YAML parser only, without loading `@kubernetes/client-node` (≈ 0.9 s), so commands that only
 * render (generate rbac) can use it too. Same search as kube-config.ts: --kubeconfig, KUBECONFIG
 * (merged: the first file to name a context or a current-context wins), the in-cluster service
 * account, ~/.kube/config.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_SERVICE_ACCOUNT_DIR } from './config-source.js';
import type { KubeConfigOptions } from './kube-config.js';

/** A namespace and where it was found, for the message saying which one is used. */
export interface FoundNamespace {
  readonly namespace: string;
  /** e.g. `kubeconfig context "kind-dev"`. */
  readonly from: string;
}

interface KubeconfigFile {
  readonly 'current-context'?: unknown;
  readonly contexts?: readonly { readonly name?: unknown; readonly context?: { readonly namespace?: unknown } }[];
}

function readKubeconfig(file: string): KubeconfigFile {
  try {
    const value = parse(readFileSync(file, 'utf8')) as unknown;
    return typeof value === 'object' && value !== null ? (value as KubeconfigFile) : {};
  } catch {
    return {}; // unreadable here: loading it for the API says why, with the file's name
  }
}

function fromFiles(files: readonly string[], context: string | undefined): FoundNamespace | undefined {
  const loaded = files.map(readKubeconfig);
  const current = context ?? loaded.map((f) => f['current-context']).find((c): c is string => typeof c === 'string' && c !== '');
  if (current === undefined) return undefined;
  for (const file of loaded) {
    const found = (file.contexts ?? []).find((c) => c?.name === current);
    if (found === undefined) continue;
    const namespace = found.context?.namespace;
    return typeof namespace === 'string' && namespace !== '' ? { namespace, from: `kubeconfig context "${current}"` } : undefined;
  }
  return undefined;
}

/**
 * The context's namespace, or the pod's in a cluster; undefined when neither names one.
 * @param options the same options loadKubeConfig takes (env, kubeconfig, context, home, serviceAccountDir)
 */
export function contextNamespace(options: KubeConfigOptions): FoundNamespace | undefined {
  const { env } = options;
  if (options.kubeconfig !== undefined) return fromFiles([options.kubeconfig], options.context);
  const files = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f !== '');
  if (files.length > 0) return fromFiles(files, options.context);
  const saDir = options.serviceAccountDir ?? DEFAULT_SERVICE_ACCOUNT_DIR;
  if (options.context === undefined && env.KUBERNETES_SERVICE_HOST && existsSync(join(saDir, 'token'))) {
    try {
      const namespace = readFileSync(join(saDir, 'namespace'), 'utf8').trim();
      return namespace ? { namespace, from: `the pod's service account (${join(saDir, 'namespace')})` } : undefined;
    } catch {
      return undefined;
    }
  }
  const home = join(options.home ?? homedir(), '.kube', 'config');
  return existsSync(home) ? fromFiles([home], options.context) : undefined;
}
