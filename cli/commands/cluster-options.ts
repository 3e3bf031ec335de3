/**
 * Where the run lives, as kubectl and argo say it: `-n/--namespace-of-workflow` (default: the
 * kubeconfig context's namespace, then the engine's default: `argo` for Argo, as the argo CLI's
 * quick-start install, `default` for Tekton, as kubectl), `--kubeconfig FILE` and
 * `--context NAME`. The namespace used is said on stderr when it was not given, so a context
 * pointing elsewhere cannot send a run to a surprising namespace unnoticed.
 */
import type { Command } from 'commander';
import type { KubeConfig } from '@kubernetes/client-node';
import { UsageError } from '../../core/errors.js';
import type { Io } from '../../core/io.js';
import { contextNamespace } from '../../kube/context-namespace.js';
import { resourceNameProblem } from '../../generator/names.js';

/** The engine's namespace when neither the command line nor the kubeconfig names one. */
export const ENGINE_DEFAULT_NAMESPACE = { argo: 'argo', tekton: 'default' } as const;

/** Adds `-n/--namespace-of-workflow`, `--kubeconfig` and `--context`. */
export function addClusterOptions(command: Command): Command {
  return command
    .option('-n, --namespace-of-workflow <ns>', `namespace of the Workflow (or PipelineRun) (default: the kubeconfig context's namespace, else ${ENGINE_DEFAULT_NAMESPACE.argo} for Argo, ${ENGINE_DEFAULT_NAMESPACE.tekton} for Tekton)`)
    .option('--kubeconfig <file>', 'kubeconfig file to use (default: KUBECONFIG, the in-cluster service account, ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use (default: its current-context)');
}

/** The kubeconfig choices of the parsed options. */
export function kubeConfigChoice(options: Readonly<Record<string, unknown>>): { kubeconfig?: string; context?: string } {
  return {
    ...(typeof options.kubeconfig === 'string' ? { kubeconfig: options.kubeconfig } : {}),
    ...(typeof options.context === 'string' ? { context: options.context } : {}),
  };
}

/**
 * The workflow namespace: `-n`, else the context's, else the engine's default; the last two are
 * announced on stderr.
 * @throws UsageError when it is not a namespace name.
 */
export function workflowNamespace(options: Readonly<Record<string, unknown>>, engine: keyof typeof ENGINE_DEFAULT_NAMESPACE, io: Io): string {
  const given = options.namespaceOfWorkflow as string | undefined;
  let namespace: string;
  if (given !== undefined) namespace = given;
  else {
    const found = contextNamespace({ env: io.env, ...kubeConfigChoice(options) });
    namespace = found?.namespace ?? ENGINE_DEFAULT_NAMESPACE[engine];
    const what = engine === 'argo' ? 'workflow' : 'PipelineRun';
    const why = found ? `from ${found.from}` : `the kubeconfig context names none: ${engine === 'argo' ? "Argo's" : "kubectl's"} default`;
    io.err(`namespace of the ${what}: ${namespace} (${why}; -n to choose another)\n`);
  }
  const problem = resourceNameProblem(namespace, false);
  if (problem) throw new UsageError(`--namespace-of-workflow: ${problem}`);
  return namespace;
}

/**
 * The API configuration `--kubeconfig` and `--context` choose (loads the Kubernetes client).
 * @throws KubeConfigError when it is unusable.
 */
export async function loadChosenKubeConfig(options: Readonly<Record<string, unknown>>, io: Io): Promise<KubeConfig> {
  const { loadKubeConfig } = await import('../../kube/kube-config.js');
  return loadKubeConfig({ env: io.env, ...kubeConfigChoice(options) });
}
