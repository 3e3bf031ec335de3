import { parseTaint } from './validators.js';

/** A Kubernetes toleration (core/v1 Toleration), as a pod spec takes it. */
export interface Toleration {
  readonly key: string;
  readonly operator: 'Equal' | 'Exists';
  readonly value?: string;
  readonly effect: string;
}

/**
 * Tolerations for krkn `taints` (`key[=value]:Effect`): Equal when a value is given, else
 * Exists, as krkn creates them. Taints are validated by the scenario schema first.
 * @throws Error for a taint that does not parse (a caller that skipped validation).
 */
export function tolerationsFor(taints: readonly string[]): Toleration[] {
  return taints.map((text) => {
    const taint = parseTaint(text);
    if (typeof taint === 'string') throw new Error(taint);
    return taint.value === undefined
      ? { key: taint.key, operator: 'Exists', effect: taint.effect }
      : { key: taint.key, operator: 'Equal', value: taint.value, effect: taint.effect };
  });
}
