/**
 * verify's Kubernetes-side check: the VMI still exists, is Running, and sits on the node and
 * launcher pod the fault was injected into (a live migration or a restart silently loses it).
 *
 * `--cluster-check` decides how strict it is:
 *   auto (default)  run when API access is configured (KUBECONFIG, in-cluster service account,
 *                   ~/.kube/config); no configuration = skipped, an unreachable API = a warning
 *                   (the netns check already proved the rules are in place); a 401/403 fails
 *                   verify (RBAC or credentials are wrong: the message names verb and resource);
 *   on              no configuration or an unreachable API fails verify;
 *   off             never run (e.g. a node with no API access).
 */
import type { Io } from '../../core/io.js';
import { kubeConfigSource } from '../../kube/config-source.js';
import { kubeconfigChoice } from '../kube-options.js';
import type { NodeClusterView } from '../../kube/cluster-check.js';
import type { CheckResult, VerifyCheck } from './verify.js';

export const CLUSTER_CHECK_MODES = ['auto', 'on', 'off'] as const;
export type ClusterCheckMode = (typeof CLUSTER_CHECK_MODES)[number];

const NAME = 'cluster';

/**
 * The cluster check as a verify check; the mode comes from the step's `--cluster-check` flag.
 * A per-node verify reads its node's VMIs and launcher pods once (two lists), whatever their number.
 */
export function clusterCheck(io: Io): VerifyCheck {
  const views = new Map<string, NodeClusterView>();
  return async ({ target, flags }): Promise<CheckResult> => {
    const mode = ((flags as { clusterCheck?: string }).clusterCheck ?? 'auto') as ClusterCheckMode;
    if (mode === 'off') return { name: NAME, ok: true, detail: 'skipped (--cluster-check off)', data: { decided: false } };
    // No API access: skipped in auto mode, a failure when the check was asked for.
    const unconfigured = (why: string): CheckResult => {
      const detail = `no Kubernetes API configured (${why})`;
      return mode === 'on'
        ? { name: NAME, ok: false, detail, data: { decided: false } }
        : { name: NAME, ok: true, detail: `skipped: ${detail}`, data: { decided: false } };
    };
    const choice = kubeconfigChoice(flags);
    if (kubeConfigSource({ env: io.env, ...choice }) === undefined) return unconfigured('no KUBECONFIG, no in-cluster service account, no ~/.kube/config');
    // Loaded only when an API is configured: the client library costs ~0.9 s to load.
    const kube = await import('../../kube/index.js');
    let view = views.get(target.node);
    if (!view) {
      try {
        view = new kube.NodeClusterView(new kube.KubeClient({ env: io.env, ...choice }), target.node);
      } catch (e) {
        if (!(e instanceof kube.KubeConfigError)) throw e;
        return unconfigured(e.message);
      }
      views.set(target.node, view);
    }
    try {
      const verdict = await view.check(target);
      return { name: NAME, ok: verdict.ok, detail: verdict.message, data: { decided: true, reason: verdict.reason } };
    } catch (e) {
      // The API answered "not allowed": the step's RBAC is wrong, which no mode should hide.
      if (e instanceof kube.KubeAccessError) return { name: NAME, ok: false, detail: e.message, data: { decided: false } };
      const detail = `undecided: the API did not answer (${(e as Error).message})`;
      return { name: NAME, ok: mode !== 'on', detail, data: { decided: false } };
    }
  };
}
