/**
 * An empty selection, explained: a chaos run that injects nothing must not pass silently, so
 * select fails (exit 1) with the scenario's selectors and how many VMIs each filter removed.
 */
import type { SelectionCounts, SelectionCriteria } from './selection.js';

/** Where the VMIs were listed. */
export interface ListScope {
  /** The one namespace listed, or undefined for a cluster-wide list. */
  readonly namespace?: string;
  /** True when the namespaced list is the fallback for a forbidden cluster-wide one. */
  readonly fallback: boolean;
}

/**
 * The explanation of an empty selection, e.g.
 * `no VMI selected: namespace regex "^prod", target regex ".*", label selector "app=db":
 *  120 VMIs listed at cluster scope; namespace regex removed 100, target regex removed 15, …`
 */
export function describeEmptySelection(criteria: SelectionCriteria, counts: SelectionCounts, scope: ListScope): string {
  const selector = criteria.labelSelector === '' ? 'label selector (none)' : `label selector "${criteria.labelSelector}"`;
  const where =
    scope.namespace === undefined
      ? 'at cluster scope'
      : `in namespace "${scope.namespace}"${scope.fallback ? ' only (the cluster-wide list is forbidden)' : ''}`;
  const kinds = Object.entries(counts.unsupportedByKind)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  const removed = [
    `namespace regex removed ${counts.namespaceRegex}`,
    `target regex removed ${counts.targetRegex}`,
    `not Running on a node removed ${counts.notRunning}`,
    `live migration in progress removed ${counts.migrating}`,
    `unsupported binding removed ${counts.unsupportedBinding}${kinds ? ` (${kinds})` : ''}`,
    `no Running virt-launcher pod removed ${counts.noLauncherPod}`,
  ].join(', ');
  const listed = `${counts.listed} VMI${counts.listed === 1 ? '' : 's'} listed ${where}`;
  return `no VMI selected: namespace regex "${criteria.namespace}", target regex "${criteria.target}", ${selector}: ${listed}; ${removed}`;
}

/** The selection is empty and --allow-empty was not given. The CLI exits 1. */
export class NoTargetsError extends Error {
  /** Read by the CLI's error handler. */
  readonly exitCode = 1;

  constructor(
    readonly criteria: SelectionCriteria,
    readonly counts: SelectionCounts,
    readonly scope: ListScope,
  ) {
    super(`${describeEmptySelection(criteria, counts, scope)}. A run that injects nothing proves nothing: fix the selectors, or pass --allow-empty to accept an empty selection.`);
  }
}
NoTargetsError.prototype.name = 'NoTargetsError';
