/**
 * The run ledger in the cluster (I/O; the layout is ledger.ts). Requests: select writes one
 * object per node plus one index per scenario; a node pod makes one get and one merge patch;
 * a whole run is read with ⌈objects/500⌉ list requests.
 */
import type { StepLogger } from '../core/log.js';
import type { KubeClient } from './client.js';
import {
  indexName,
  LEDGER_LABELS,
  ledgerSelector,
  nodeLedgerName,
  parseLedgerIndex,
  parseNodeLedger,
  recordPatch,
  type LedgerIndex,
  type LedgerObject,
  type NodeLedger,
  type RecordName,
  type LedgerRecord,
} from './ledger.js';
import { collectPages, PAGE_SIZE } from './paginate.js';

/** Creates at most this many objects at once: fast on a fleet, gentle on the API server. */
const WRITE_CONCURRENCY = 8;

/** Where a run's ledger lives. */
export interface LedgerPlace {
  readonly namespace: string;
  readonly runId: string;
}

/** Writes a scenario's objects (ledgerObjects' order: nodes, then the index). */
export async function writeLedger(client: KubeClient, namespace: string, objects: readonly LedgerObject[]): Promise<void> {
  const nodes = objects.filter((o) => o.metadata.labels[LEDGER_LABELS.part] === 'node');
  for (let i = 0; i < nodes.length; i += WRITE_CONCURRENCY) {
    await Promise.all(nodes.slice(i, i + WRITE_CONCURRENCY).map((o) => client.putConfigMap(namespace, o)));
  }
  for (const index of objects.filter((o) => o.metadata.labels[LEDGER_LABELS.part] === 'index')) await client.putConfigMap(namespace, index);
}

/** A scenario's index (its nodes and counts). @throws KubeNotFoundError when select wrote none; LedgerError. */
export async function readLedgerIndex(client: KubeClient, place: LedgerPlace, scenario: number): Promise<LedgerIndex> {
  const name = indexName(place.runId, scenario);
  const index = parseLedgerIndex(name, await client.getConfigMapData(place.namespace, name));
  if (index.scenario !== scenario) throw new Error(`ledger ${name} belongs to scenario ${index.scenario}, not ${scenario}`);
  return index;
}

/** A node's part of one scenario. @throws KubeNotFoundError when select wrote none; LedgerError. */
export async function readNodeLedger(client: KubeClient, place: LedgerPlace, scenario: number, node: string): Promise<NodeLedger> {
  const name = nodeLedgerName(place.runId, scenario, node);
  const ledger = parseNodeLedger(name, await client.getConfigMapData(place.namespace, name));
  if (ledger.node !== node || ledger.scenario !== scenario) throw new Error(`ledger ${name} belongs to node ${ledger.node}, scenario ${ledger.scenario}, not node ${node}, scenario ${scenario}`);
  return ledger;
}

/** Writes `records` (by target index) under `record` in a node's part: one merge patch. */
export async function writeRecords(client: KubeClient, place: LedgerPlace, scenario: number, node: string, record: RecordName, records: ReadonlyMap<number, LedgerRecord>): Promise<void> {
  if (records.size === 0) return;
  await client.mergePatchConfigMap(place.namespace, nodeLedgerName(place.runId, scenario, node), recordPatch(record, records));
}

/** A run's whole ledger. */
export interface RunLedger {
  readonly indexes: readonly LedgerIndex[];
  /** The node parts the indexes name (parts of a superseded select attempt are left out). */
  readonly nodes: readonly NodeLedger[];
  /** Objects read, and list requests made. */
  readonly objects: number;
  readonly pages: number;
}

/** Reads a run's ledger (one scenario's when given) with paged list requests. */
export async function readRunLedger(client: KubeClient, place: LedgerPlace, log: StepLogger['log'], scenario?: number): Promise<RunLedger> {
  const labelSelector = ledgerSelector(place.runId, scenario);
  const collected = await collectPages(
    (continueToken) => client.listConfigMaps({ namespace: place.namespace, labelSelector, limit: PAGE_SIZE, ...(continueToken ? { continueToken } : {}) }),
    (item) => item,
    log,
  );
  const indexes: LedgerIndex[] = [];
  const parts: NodeLedger[] = [];
  for (const item of collected.items) {
    const name = item.metadata?.name ?? '';
    const data = item.data ?? {};
    const part = item.metadata?.labels?.[LEDGER_LABELS.part];
    if (part === 'index') indexes.push(parseLedgerIndex(name, data));
    else if (part === 'node') parts.push(parseNodeLedger(name, data));
  }
  const named = new Set(indexes.flatMap((i) => i.nodes.map((n) => `${i.scenario}/${n.node}`)));
  return {
    indexes: indexes.sort((a, b) => a.scenario - b.scenario),
    nodes: parts.filter((p) => named.has(`${p.scenario}/${p.node}`)),
    objects: collected.listed,
    pages: collected.pages,
  };
}
