/**
 * A target: one element of `step select`'s output, the JSON list that Argo's withParam and
 * Tekton's matrix fan out over, and the `--target` of the node steps.
 */
import { z } from 'zod';

export const BINDINGS = ['masquerade', 'bridge', 'passt', 'slirp', 'sriov', 'macvtap'] as const;
export type Binding = (typeof BINDINGS)[number];
/** Bindings whose traffic passes a network namespace we can filter. */
export const SUPPORTED_BINDINGS: readonly Binding[] = ['masquerade', 'bridge', 'passt', 'slirp'];

const dnsName = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS-1123 name').max(253);

export const targetSchema = z.strictObject({
  namespace: dnsName,
  name: dnsName,
  uid: z.string().regex(/^[0-9a-fA-F-]{1,64}$/, 'must be a Kubernetes UID'),
  node: dnsName,
  launcherPod: dnsName,
  /** Absent only when the node steps are given --netns. */
  launcherPodUid: z.string().regex(/^[0-9a-fA-F-]{1,64}$/, 'must be a Kubernetes UID').optional(),
  binding: z.enum(BINDINGS),
  /** VM-side interface names (from the VMI status) when select knows them. */
  interfaces: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/, 'must be a Linux interface name')).optional(),
});

export type Target = z.output<typeof targetSchema>;
