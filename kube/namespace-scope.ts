/**
 * Whether a namespace regex names exactly one namespace we could list on its own, for service
 * accounts that may read only some namespaces (a RoleBinding, not a ClusterRoleBinding).
 */

// A namespace name is a DNS-1123 label: none of its characters is special in a regex.
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The namespace a regex stands for when it is a plain name, optionally anchored (`prod`, `^prod`,
 * `prod$`, `^prod$`); undefined for any real pattern (`prod-.*`, `(a|b)`).
 *
 * With krkn's re.match semantics `prod` also matches `production`; a namespaced list of `prod`
 * cannot see those, which is why the caller uses this only when a cluster-wide list is forbidden
 * (and says so in the log).
 */
export function plainNamespaceOf(pattern: string): string | undefined {
  const name = pattern.replace(/^\^/, '').replace(/(\$|\\Z)$/, '');
  return name.length <= 63 && DNS1123_LABEL.test(name) ? name : undefined;
}

/** True when the pattern matches only its own name (anchored at the end too). */
export function isExactNamespace(pattern: string): boolean {
  return plainNamespaceOf(pattern) !== undefined && /(\$|\\Z)$/.test(pattern);
}
