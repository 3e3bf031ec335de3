/**
 * select's checks of the engine it runs under (`select --engine`), before any fault: the I/O
 * around the pure rules of argo.ts and tekton.ts. What cannot be read is logged and let be: a
 * check must not stop a run that would work.
 */
import type { Io } from '../../core/io.js';
import type { KubeClient } from '../../kube/index.js';
import type { StepLogger } from '../../core/log.js';
import { argoExecutorProblem, executorImage, type PodContainers } from './argo.js';
import { tektonVersionProblem } from './tekton.js';

/** The engines select can check. */
export const ENGINES = ['argo', 'tekton'] as const;
export type Engine = (typeof ENGINES)[number];

/** Namespaces Tekton Pipelines is installed in: upstream's, OpenShift Pipelines'. */
const TEKTON_NAMESPACES = ['tekton-pipelines', 'openshift-pipelines'];

/** @throws Error (select fails, exit 1) naming a version or setting that would break the run. */
export async function checkEngine(engine: Engine, client: KubeClient, io: Io, log: StepLogger['log']): Promise<void> {
  if (engine === 'tekton') await checkTekton(client, log);
  else await checkArgo(client, io, log);
}

/** A Tekton older than 1.3 (pipelines-info, which Tekton lets every authenticated user read). */
async function checkTekton(client: KubeClient, log: StepLogger['log']): Promise<void> {
  let version: string | undefined;
  for (const ns of TEKTON_NAMESPACES) {
    version = await client.getConfigMapData(ns, 'pipelines-info').then((d) => d.version, () => undefined);
    if (version !== undefined) break;
  }
  if (version === undefined) log('warn', `cannot read Tekton's version (ConfigMap pipelines-info in ${TEKTON_NAMESPACES.join(' or ')}); not checked`);
  const versionProblem = version === undefined ? undefined : tektonVersionProblem(version);
  if (versionProblem) throw new Error(versionProblem);
  log('info', `Tekton ${version ?? '(version unknown)'}: no setting known to break the run`, { tektonVersion: version ?? null });
}

/** An Argo older than 3.6, known by the executor image in this pod. */
async function checkArgo(client: KubeClient, io: Io, log: StepLogger['log']): Promise<void> {
  const pod = await ownPod(client, io, "Argo's version", log);
  if (!pod) return;
  const problem = argoExecutorProblem(pod as PodContainers);
  if (problem) throw new Error(problem);
  log('info', `Argo executor ${executorImage(pod as PodContainers) ?? '(not found)'}: no version known to break the run`);
}

/** This step's own pod (POD_NAME, POD_NAMESPACE), or undefined with a warning that `what` is not checked. */
async function ownPod(client: KubeClient, io: Io, what: string, log: StepLogger['log']): Promise<unknown> {
  const { POD_NAME: name, POD_NAMESPACE: namespace } = io.env;
  if (!name || !namespace) return log('warn', `POD_NAME or POD_NAMESPACE unset: ${what} is not checked`);
  return client.getPod(namespace, name).catch((e: Error) => log('warn', `cannot read this pod (${e.message}): ${what} is not checked`));
}
