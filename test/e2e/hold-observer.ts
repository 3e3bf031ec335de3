/**
 * Watches the holds of a run and probes the whole cluster's traffic while faults are held. A
 * barrier makes the probe deterministic: it runs once as many holds as the run should have at
 * once have started (1 when serial, every target when parallel), so every inject is done and no
 * verify or rollback has begun; the holds end after the probe (the executor waits for it).
 */
import type { FilterConfig } from '../netns/helpers/flows.js';
import { rulesetSnapshot } from '../netns/helpers/ruleset.js';
import { vmiKey, type EmulatedCluster } from './emulated-cluster.js';
import { clusterMismatches } from './vmi-flows.js';

/** One probe during holds. */
export interface HeldProbe {
  /** VMI keys held during the probe, sorted. */
  readonly held: readonly string[];
  readonly mismatches: readonly string[];
  /** Launcher namespaces whose ruleset differed from the initial one during the probe, sorted. */
  readonly changedLaunchers: readonly string[];
}

/** What a hold belongs to: the hold's node path and the VMI (a target JSON). */
export interface HoldContext {
  readonly path: string;
  readonly target: { readonly namespace: string; readonly name: string };
}

/** Options of a HoldObserver. */
export interface HoldObserverOptions {
  /** Holds expected at once for the hold at `path`. */
  readonly concurrent: (path: string) => number;
  /** The filter a hold applies (from its scenario). */
  readonly config: (path: string) => FilterConfig;
  /** Initial rulesets by launcher path. */
  readonly initial: ReadonlyMap<string, string>;
  /** Runs after the probe, before the holds end (a test's fault injection). */
  readonly afterProbe?: (holds: readonly HoldContext[]) => void | Promise<void>;
  /** @default 30000 */
  readonly barrierTimeoutMs?: number;
}

/** Collects the holds' probes; pass `onHold` to the executor. */
export class HoldObserver {
  readonly probes: HeldProbe[] = [];
  private waiting: { context: HoldContext; resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(private readonly cluster: EmulatedCluster, private readonly options: HoldObserverOptions) {}

  /** Called at every hold; settles when the hold may end. */
  readonly onHold = (context: HoldContext): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      this.waiting.push({ context, resolve, reject });
      const want = this.options.concurrent(context.path);
      if (this.waiting.length < want) {
        const mine = this.waiting.at(-1)!;
        setTimeout(() => mine.reject(new Error(`${context.path}: only ${this.waiting.length} of ${want} holds started within the barrier timeout`)), this.options.barrierTimeoutMs ?? 30_000).unref();
        return;
      }
      const batch = this.waiting;
      this.waiting = [];
      void this.probe(batch.map((w) => w.context)).then(
        () => batch.forEach((w) => w.resolve()),
        (e: Error) => batch.forEach((w) => w.reject(e)),
      );
    });

  private async probe(holds: readonly HoldContext[]): Promise<void> {
    const held = new Map(holds.map((h) => [vmiKey(h.target), this.options.config(h.path)]));
    const mismatches = await clusterMismatches(this.cluster, held);
    const changedLaunchers = this.cluster.launcherPaths.filter((p) => rulesetSnapshot(p) !== this.options.initial.get(p)).sort();
    this.probes.push({ held: [...held.keys()].sort(), mismatches, changedLaunchers });
    await this.options.afterProbe?.(holds);
  }
}
