/**
 * A target: one element of `step select`'s output, the JSON list that Argo's withParam and
 * Tekton's matrix fan out over, and the `--target` of the node steps.
 */
import { z } from 'zod';
import { DNS_1123_LABEL, DNS_1123_SUBDOMAIN, INTERFACE_NAME, KUBERNETES_UID, hasFormat } from './k8s-values.js';

export const BINDINGS = ['masquerade', 'bridge', 'passt', 'slirp', 'sriov', 'macvtap'] as const;
export type Binding = (typeof BINDINGS)[number];
/** Bindings whose traffic passes a network namespace we can filter. */
export const SUPPORTED_BINDINGS: readonly Binding[] = ['masquerade', 'bridge', 'passt', 'slirp'];

// The formats the API server enforces (k8s-values.ts): select checks them before writing a
// target (target-check.ts), the node steps again when they read one.
const dnsName = z.string().regex(DNS_1123_SUBDOMAIN, 'must be a DNS-1123 name');
const uid = z.string().regex(KUBERNETES_UID, 'must be a Kubernetes UID');

export const targetSchema = z.strictObject({
  namespace: z.string().regex(DNS_1123_LABEL, 'must be a DNS-1123 label'),
  name: dnsName,
  uid,
  node: dnsName,
  launcherPod: dnsName,
  /** Absent only when the node steps are given --netns. */
  launcherPodUid: uid.optional(),
  /**
   * The launcher pod's IPs (`status.podIPs`): how the node steps find its network namespace
   * among those the runtime pins (--netns-dir). Absent in targets written before they were read.
   */
  launcherPodIPs: z.array(z.string().refine((ip) => hasFormat(ip, 'IP address'), 'must be an IP address')).min(1).max(2).optional(),
  binding: z.enum(BINDINGS),
  /** VM-side interface names (from the VMI status) when select knows them. */
  interfaces: z.array(z.string().regex(INTERFACE_NAME, 'must be a Linux interface name')).optional(),
});

export type Target = z.output<typeof targetSchema>;
