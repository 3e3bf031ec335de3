/**
 * submit's Pod Security check: reads the workflow namespace's labels and acts on the verdict of
 * pod-security.ts (refuse, note, or nothing). Run before anything is created; a read that fails
 * is a warning, never a reason to refuse.
 */
import { UsageError } from '../core/errors.js';
import type { Io } from '../core/io.js';
import { KubeAccessError, KubeAnswerError, KubeApiError, KubeConnectionError, KubeNotFoundError } from '../kube/errors.js';
import { podSecurityVerdict, uncheckedWarning } from './pod-security.js';

/** Reads a namespace's labels (KubeClient.getNamespaceLabels). */
export type NamespaceLabelsReader = (namespace: string) => Promise<Readonly<Record<string, string>>>;

/**
 * Checks that the node pods may run in `namespace`: writes a note or a warning to stderr, or
 * throws. A namespace that does not exist (404) is left to the create, which fails on it with the
 * API server's words, as it did before this check.
 * @throws UsageError (exit 2) when Pod Security admission would refuse the node pods.
 */
export async function checkPodSecurity(namespace: string, read: NamespaceLabelsReader, io: Io): Promise<void> {
  let labels: Readonly<Record<string, string>>;
  try {
    labels = await read(namespace);
  } catch (e) {
    if (e instanceof KubeNotFoundError) return;
    if (e instanceof KubeAccessError && e.status === 403) return io.err(uncheckedWarning(namespace, { kind: 'forbidden' }));
    if (e instanceof KubeApiError || e instanceof KubeConnectionError || e instanceof KubeAnswerError) return io.err(uncheckedWarning(namespace, { kind: 'failed', message: e.message }));
    throw e;
  }
  const verdict = podSecurityVerdict(namespace, labels);
  if (verdict.verdict === 'refuse') throw new UsageError(verdict.message);
  if (verdict.verdict === 'warn') io.err(`${verdict.message}\n`);
}
