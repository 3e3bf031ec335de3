/**
 * Would Pod Security admission let the node pods run in the workflow namespace? Decided from the
 * namespace's labels alone (pure), before `submit` creates anything: node pods mount a host path
 * (`/var/run/netns`, or `/proc` with --proc-discovery) and add capabilities as root, which only the
 * `privileged` level allows. Refused at the fan-out, they would fail a run that has already
 * started; refused here, nothing is created and the user gets the one line that fixes it.
 *
 * `pod-security.kubernetes.io/enforce-version` plays no part: every version of the baseline
 * policy (v1.0 onwards, and `latest`) forbids hostPath volumes and added capabilities beyond the
 * default set, so baseline and restricted refuse the node pods whatever the version.
 *
 * What the labels cannot tell: the API server's admission configuration (its default level for
 * namespaces without the label, and its exemptions), which no API exposes. Without the label the
 * check says so and goes on; the admission still has the last word at the fan-out.
 */

/** The label Pod Security admission enforces. */
export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/** The levels Pod Security admission knows, least strict first. */
const LEVELS = ['privileged', 'baseline', 'restricted'] as const;

/** What submit does about the namespace: go on, go on with a note on stderr, or refuse (exit 2). */
export type PodSecurityVerdict =
  | { readonly verdict: 'ok' }
  | { readonly verdict: 'warn'; readonly message: string }
  | { readonly verdict: 'refuse'; readonly message: string };

/** The command that lets the node pods run in `namespace` (`--overwrite`: it replaces a level). */
export function privilegedLabelCommand(namespace: string): string {
  return `kubectl label ns ${namespace} ${ENFORCE_LABEL}=privileged --overwrite`;
}

/** Why only `privileged` will do, in one clause. */
const WHY = 'node pods mount a host path and add capabilities as root, which only "privileged" allows';

/**
 * The verdict for the workflow namespace `namespace` with `labels`.
 *
 * A value that is not a level is read by the admission as `restricted` (Kubernetes'
 * `PolicyToEvaluate` falls back to restricted:latest for an unparsable enforce label), so it is
 * refused like restricted, naming the value.
 */
export function podSecurityVerdict(namespace: string, labels: Readonly<Record<string, string>>): PodSecurityVerdict {
  const level = labels[ENFORCE_LABEL];
  if (level === 'privileged') return { verdict: 'ok' };
  const fix = privilegedLabelCommand(namespace);
  if (level === undefined) {
    return {
      verdict: 'warn',
      message: `note: namespace "${namespace}" has no ${ENFORCE_LABEL} label: the cluster's default Pod Security level applies (privileged unless the API server's admission configuration sets another); if it is not privileged the node pods will be refused, allow them with: ${fix}`,
    };
  }
  const enforced = (LEVELS as readonly string[]).includes(level)
    ? `its Pod Security level is "${level}" (label ${ENFORCE_LABEL})`
    : `its label ${ENFORCE_LABEL}="${level}" is not a level (${LEVELS.join(', ')}), which Pod Security admission enforces as "restricted"`;
  return {
    verdict: 'refuse',
    message: `the node pods would be refused in namespace "${namespace}": ${enforced}, and ${WHY}; nothing was created. Allow them with: ${fix}`,
  };
}

/** Why the namespace could not be read: RBAC (403), or another failure in the client's words. */
export type UncheckedCause = { readonly kind: 'forbidden' } | { readonly kind: 'failed'; readonly message: string };

/**
 * The warning when the labels could not be read: submit goes on without the check (it must never
 * fail only because the check could not run). The 403 case names the permission, and leaves the
 * API server's own text out: the user's Role is the news, not the server's phrasing.
 */
export function uncheckedWarning(namespace: string, cause: UncheckedCause): string {
  const why =
    cause.kind === 'forbidden'
      ? `HTTP 403: the submitting user may not get namespaces; the Role of "Submit and watch" in the README grants it for "${namespace}" alone`
      : cause.message;
  return `warning: could not read the Pod Security level of namespace "${namespace}" (${why}); submitting without that check\n`;
}
