/**
 * What select checks of the Argo it runs under, before any fault (pure). Argo before 3.6 accepts
 * our Workflows but ignores `synchronization.mutexes` (two runs could fault the same VMIs at
 * once) and a CronWorkflow's `schedules`, silently. The controller's version is not readable
 * from a step, but the executor image it put into select's own pod is its own release by
 * default (`quay.io/argoproj/argoexec:<controller version>`).
 */
import { isOlderThan } from './version.js';

/** The oldest Argo Workflows release we support. */
export const MIN_ARGO_VERSION = '3.6.0';

/** The parts of a pod this check reads. */
export interface PodContainers {
  readonly spec?: {
    readonly initContainers?: readonly { readonly name: string; readonly image?: string }[];
    readonly containers?: readonly { readonly name: string; readonly image?: string }[];
  };
}

/** The tag of an image reference (`repo:tag` or `repo:tag@sha256:…`), or undefined. */
export function imageTag(image: string): string | undefined {
  const noDigest = image.split('@')[0]!;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > lastSlash ? noDigest.slice(colon + 1) : undefined;
}

/** The image of Argo's executor in select's pod (`wait`, else `init`), or undefined. */
export function executorImage(pod: PodContainers): string | undefined {
  return pod.spec?.containers?.find((c) => c.name === 'wait')?.image ?? pod.spec?.initContainers?.find((c) => c.name === 'init')?.image;
}

/** Why the Argo of this pod's executor cannot run our Workflows, or undefined (new enough, or unknown). */
export function argoExecutorProblem(pod: PodContainers): string | undefined {
  const image = executorImage(pod);
  if (image === undefined || !isOlderThan(imageTag(image) ?? '', MIN_ARGO_VERSION)) return undefined;
  return (
    `Argo's executor here is ${image}: Argo Workflows before ${MIN_ARGO_VERSION} ignores synchronization.mutexes (two runs could ` +
    "fault the same VMIs at once) and a CronWorkflow's schedules. Upgrade Argo Workflows to 3.6 or later"
  );
}
