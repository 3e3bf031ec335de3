/**
 * The formats the API server itself enforces on the values a target carries (apimachinery's
 * validation: IsDNS1123Label, IsDNS1123Subdomain; UIDs are UUIDs). A value outside them did not
 * come from a Kubernetes API server, and is refused before it reaches a template or a command.
 */

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';

/** Namespace names: a DNS-1123 label, at most 63 characters. */
export const DNS_1123_LABEL = new RegExp(`^(?=.{1,63}$)${LABEL}$`);
/** Object and node names: a DNS-1123 subdomain, at most 253 characters. */
export const DNS_1123_SUBDOMAIN = new RegExp(`^(?=.{1,253}$)${LABEL}(\\.${LABEL})*$`);
/** Object UIDs (UUIDs as the API server makes them; hex and dashes, at most 64 characters). */
export const KUBERNETES_UID = /^[0-9a-fA-F-]{1,64}$/;
/** A Linux network interface name (IFNAMSIZ: at most 15 characters). */
export const INTERFACE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;

/** The format a value must have, in words, by its checker. */
export type ValueFormat = 'DNS-1123 label' | 'DNS-1123 subdomain' | 'Kubernetes UID' | 'IP address';

const PATTERNS: Readonly<Record<ValueFormat, RegExp>> = {
  'DNS-1123 label': DNS_1123_LABEL,
  'DNS-1123 subdomain': DNS_1123_SUBDOMAIN,
  'Kubernetes UID': KUBERNETES_UID,
  // A pod IP as the API server writes it (IsValidIP): dotted quad, or IPv6 hex groups.
  'IP address': /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}|(?=.*:)[0-9a-fA-F:.]{2,45})$/,
};

/** True when `value` has `format`. */
export function hasFormat(value: string, format: ValueFormat): boolean {
  return PATTERNS[format].test(value);
}
