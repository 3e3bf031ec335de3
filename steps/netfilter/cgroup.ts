/**
 * Which pod a process belongs to, read from its `/proc/<pid>/cgroup`. Kubelet names a pod's
 * cgroup after the pod UID in one of two spellings, depending on its cgroup driver:
 *   systemd:  …/kubepods-burstable.slice/kubepods-burstable-pod<uid with '_' for '-'>.slice/cri-containerd-<id>.scope
 *   cgroupfs: …/kubepods/burstable/pod<uid>/<container id>
 * (guaranteed pods lack the QoS level: kubepods-pod<uid>.slice, /kubepods/pod<uid>/). Static
 * pods have a 32-hex UID without dashes. Read from a container with its own cgroup namespace,
 * the paths are relative to that namespace and may start with "/../..", so the pod segment is
 * searched anywhere in the path rather than under a fixed prefix.
 */

const UUID = '[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}|[0-9a-f]{32}';
/** A cgroup path segment that names a pod: "pod<uid>" (cgroupfs) or "<prefix>-pod<uid>.slice" (systemd). */
const POD_SEGMENT = new RegExp(`^(?:pod(${UUID})|[a-z][a-z0-9-]*-pod(${UUID})\\.slice)$`, 'i');

/** A pod UID in the form the Kubernetes API shows: lowercase, dashes. */
export function normalizePodUid(uid: string): string {
  return uid.toLowerCase().replace(/_/g, '-');
}

/**
 * The pod UID in the text of a `/proc/<pid>/cgroup` file (cgroup v1 or v2, either driver), or
 * undefined for a process outside any pod.
 */
export function podUidFromCgroup(text: string): string | undefined {
  for (const line of text.split('\n')) {
    // hierarchy-ID:controller-list:path, and the path may itself contain ':'
    const path = line.split(':').slice(2).join(':');
    for (const segment of path.split('/')) {
      const m = POD_SEGMENT.exec(segment);
      const uid = m?.[1] ?? m?.[2];
      if (uid) return normalizePodUid(uid);
    }
  }
  return undefined;
}
