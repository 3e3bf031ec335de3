/**
 * `--kubeconfig FILE` and `--context NAME` of the steps that talk to the Kubernetes API, as
 * kubectl spells them: in a pod the steps use their service account, and by hand (or in tests)
 * these pick the configuration instead of KUBECONFIG / ~/.kube/config and its current-context.
 */
import type { Command } from 'commander';

/** The parsed `--kubeconfig` and `--context`. */
export interface KubeconfigFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
}

/** Adds `--kubeconfig` and `--context` to `command`. */
export function addKubeconfigOptions(command: Command): Command {
  return command
    .option('--kubeconfig <file>', 'kubeconfig file to use (default: KUBECONFIG, the in-cluster service account, ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use (default: its current-context)');
}

/** The client options of the flags: only what was given. */
export function kubeconfigChoice(flags: KubeconfigFlags): { kubeconfig?: string; context?: string } {
  return {
    ...(typeof flags.kubeconfig === 'string' ? { kubeconfig: flags.kubeconfig } : {}),
    ...(typeof flags.context === 'string' ? { context: flags.context } : {}),
  };
}
