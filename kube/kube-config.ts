/**
 * Where the API is and who we are: KUBECONFIG when set (a step run by hand, tests), else the
 * pod's service account (a workflow step), else ~/.kube/config. Read from the Io's environment
 * rather than process.env, so that tests and callers decide what the step sees.
 */
import { existsSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeConfigError } from './errors.js';

/** Where the in-cluster service account is mounted (token, ca.crt). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Where to look for the API configuration. */
export interface KubeConfigOptions {
  /** Environment: KUBECONFIG, KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The mounted service account. @default SERVICE_ACCOUNT_DIR */
  readonly serviceAccountDir?: string;
  /** Home directory for ~/.kube/config. @default os.homedir() */
  readonly home?: string;
  /** A kubeconfig file that replaces the search, as kubectl's `--kubeconfig`. @default the search */
  readonly kubeconfig?: string;
  /** The context to use instead of the file's current-context, as kubectl's `--context`. */
  readonly context?: string;
}

/**
 * The loadKubeConfig options of a client's options: environment, service account, and the
 * `--kubeconfig` / `--context` choices when given.
 */
export function kubeConfigOptionsOf(options: {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly serviceAccountDir?: string | undefined;
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
}): KubeConfigOptions {
  return {
    env: options.env,
    ...(options.serviceAccountDir ? { serviceAccountDir: options.serviceAccountDir } : {}),
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
    ...(options.context === undefined ? {} : { context: options.context }),
  };
}

/**
 * Loads the API configuration: KUBECONFIG (a path list, merged as kubectl does),
 * else in-cluster (KUBERNETES_SERVICE_HOST and a mounted token), else ~/.kube/config.
 * @throws KubeConfigError when none is usable, a file is broken, or it has no current cluster.
 */
export function loadKubeConfig(options: KubeConfigOptions): KubeConfig {
  const { env } = options;
  if (options.kubeconfig !== undefined) return checked(withContext(fromFiles([options.kubeconfig]), options.context, `--kubeconfig ${options.kubeconfig}`), `--kubeconfig ${options.kubeconfig}`);
  const files = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f !== '');
  if (files.length > 0) return checked(withContext(fromFiles(files), options.context, `KUBECONFIG ${env.KUBECONFIG}`), `KUBECONFIG ${env.KUBECONFIG}`);
  if (options.context !== undefined) {
    // In-cluster configuration has no contexts: --context names one of a kubeconfig file.
    const home = join(options.home ?? homedir(), '.kube', 'config');
    if (!existsSync(home)) throw new KubeConfigError(`--context ${options.context} needs a kubeconfig file (--kubeconfig, KUBECONFIG or ${home})`);
    return checked(withContext(fromFiles([home]), options.context, home), home);
  }

  const saDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const host = env.KUBERNETES_SERVICE_HOST;
  if (host && existsSync(join(saDir, 'token'))) {
    return checked(inCluster(host, env.KUBERNETES_SERVICE_PORT ?? '443', saDir), `the service account in ${saDir}`);
  }
  const home = join(options.home ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return checked(fromFiles([home]), home);
  throw new KubeConfigError(
    host
      ? `KUBERNETES_SERVICE_HOST is set but no service account token is mounted at ${saDir} (automountServiceAccountToken: false?), and KUBECONFIG is not set`
      : `KUBECONFIG is not set, this is not a pod with a service account, and ${home} does not exist`,
  );
}

/** `kc` switched to `context` when given. @throws KubeConfigError when the file has no such context. */
function withContext(kc: KubeConfig, context: string | undefined, source: string): KubeConfig {
  if (context === undefined) return kc;
  if (!kc.contexts.some((c) => c.name === context)) {
    throw new KubeConfigError(`--context ${context}: ${source} has no such context (it has: ${kc.contexts.map((c) => c.name).join(', ') || 'none'})`);
  }
  kc.setCurrentContext(context);
  return kc;
}

/** Files merged as kubectl merges them: the first to name a cluster, user or context wins. */
function fromFiles(files: readonly string[]): KubeConfig {
  const loaded = files.map((file) => {
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(file);
    } catch (e) {
      throw new KubeConfigError(`cannot load kubeconfig ${file}: ${(e as Error).message}`, { cause: e });
    }
    return kc;
  });
  if (loaded.length === 1) return loaded[0]!;
  const firstByName = <T extends { name: string }>(lists: readonly (readonly T[])[]): T[] => {
    const seen = new Map<string, T>();
    for (const item of lists.flat()) if (!seen.has(item.name)) seen.set(item.name, item);
    return [...seen.values()];
  };
  const merged = new KubeConfig();
  merged.loadFromOptions({
    clusters: firstByName(loaded.map((kc) => kc.clusters)),
    users: firstByName(loaded.map((kc) => kc.users)),
    contexts: firstByName(loaded.map((kc) => kc.contexts)),
    currentContext: loaded.map((kc) => kc.currentContext).find((c) => c !== undefined && c !== '') ?? '',
  });
  return merged;
}

/** The client's loadFromCluster reads process.env; this one reads the given environment. */
function inCluster(host: string, port: string, saDir: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(
    {
      name: 'in-cluster',
      server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`,
      caFile: join(saDir, 'ca.crt'),
      skipTLSVerify: false,
    },
    // tokenFile: the client re-reads the projected token (it rotates), as client-go does.
    { name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: join(saDir, 'token') } } },
  );
  return kc;
}

function checked(kc: KubeConfig, source: string): KubeConfig {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeConfigError(`${source} has no current context with a cluster`);
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) {
    // The client refuses plain HTTP unless TLS verification is explicitly off; say so up front.
    throw new KubeConfigError(`${source}: server ${cluster.server} is plain http, which needs insecure-skip-tls-verify: true on its cluster`);
  }
  return kc;
}
