/**
 * The run ledger (pure): a run's selection and every VMI's outcome, kept as ConfigMaps in the
 * run's namespace instead of in the engine's objects, which must stay small at any fleet size.
 *
 * - One object per (run, scenario, node): `targets`, that node's targets in select's order
 *   (written by select), and one key per VMI and record, `<record>.<index>` (`inject.0`,
 *   `verify.0`, …), written by the one pod acting on that VMI. Writers never share a key, and a
 *   JSON merge patch of one's own keys cannot lose another writer's.
 * - One index object per (run, scenario): the nodes of the selection and the counts, written by
 *   select after the node objects (a retried select rewrites both; readers go through the index).
 *
 * Every object is owned by the Workflow or PipelineRun (the garbage collector deletes the ledger
 * with the run) and labelled with the run id and scenario, so one list request finds it.
 */
import { createHash } from 'node:crypto';
import { targetSchema, type Target } from './target.js';

export const LEDGER_LABELS = {
  run: 'vmi-network-filter.io/run',
  scenario: 'vmi-network-filter.io/scenario',
  /** `index` or `node`. */
  part: 'vmi-network-filter.io/ledger',
} as const;

/** The records a VMI gets, each written by one pod. */
export const RECORDS = ['inject', 'verify', 'rollback', 'exit-rollback'] as const;
export type RecordName = (typeof RECORDS)[number];

/** The engine object a ledger belongs to (its uid is the run id). */
export interface LedgerOwner {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
}

/** The owners by engine. */
export const OWNER_KINDS = {
  Workflow: 'argoproj.io/v1alpha1',
  PipelineRun: 'tekton.dev/v1',
} as const;
export type OwnerKind = keyof typeof OWNER_KINDS;

/**
 * The object size the ledger plans for: half the API server's 1 MiB limit on a ConfigMap, so
 * that the records of every VMI fit even when each is as large as a record may be.
 */
export const LEDGER_OBJECT_BUDGET = 512 * 1024;
/** Largest serialized record; a longer one has its messages cut (see boundRecord). */
export const RECORD_MAX_BYTES = 480;
/** Bytes of a key and its JSON quoting next to a record. */
const KEY_OVERHEAD = 32;

/** One VMI's record of one step: what the pod did, in a bounded size. */
export interface LedgerRecord {
  readonly ok: boolean;
  /** ISO time the record was written. */
  readonly at: string;
  /** One line: what was done, or the error. */
  readonly detail: string;
  /** Small step-specific facts (backend, rules, expiresAt, counters …). */
  readonly data?: Readonly<Record<string, string | number | boolean | null>>;
}

/** A node's part of the ledger, parsed. */
export interface NodeLedger {
  readonly scenario: number;
  readonly node: string;
  readonly targets: readonly Target[];
  /** records[i][record] of target i. */
  readonly records: readonly Partial<Record<RecordName, LedgerRecord>>[];
}

/** A fault window in Unix seconds, [start, end): a synchronized onset's, fixed by select. */
export interface LedgerWindow {
  readonly start: number;
  readonly end: number;
}

/** A scenario's index, parsed. */
export interface LedgerIndex {
  readonly scenario: number;
  readonly nodes: readonly { readonly node: string; readonly targets: number }[];
  readonly targets: number;
  /** The window every VMI's rules drop traffic in (a synchronized onset); absent: immediate. */
  readonly window?: LedgerWindow;
}

/** A ConfigMap as sent to and read from the API (the fields the ledger uses). */
export interface LedgerObject {
  readonly apiVersion: 'v1';
  readonly kind: 'ConfigMap';
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly ownerReferences: readonly { readonly apiVersion: string; readonly kind: string; readonly name: string; readonly uid: string }[];
  };
  readonly data: Readonly<Record<string, string>>;
}

/** `vnf-<run>-<scenario>`: the scenario's index. */
export function indexName(runId: string, scenario: number): string {
  return `vnf-${runId.toLowerCase()}-${scenario}`;
}

/**
 * `vnf-<run>-<scenario>-<hash of node>`: a node's part. A hash, not the node name: node names may
 * hold 253 characters, and every pod must find its object from what the engine passes it.
 */
export function nodeLedgerName(runId: string, scenario: number, node: string): string {
  return `${indexName(runId, scenario)}-${createHash('sha256').update(node).digest('hex').slice(0, 12)}`;
}

/** The label selector of a run's ledger (of one scenario when given). */
export function ledgerSelector(runId: string, scenario?: number): string {
  return `${LEDGER_LABELS.run}=${runId}${scenario === undefined ? '' : `,${LEDGER_LABELS.scenario}=${scenario}`}`;
}

/** `inject.3`: the key of target 3's inject record. */
export function recordKey(record: RecordName, index: number): string {
  return `${record}.${index}`;
}

/** Most targets one node's object can hold with room for all their records. */
export function maxTargetsPerNode(targetBytes: number): number {
  return Math.floor(LEDGER_OBJECT_BUDGET / (targetBytes + RECORDS.length * (RECORD_MAX_BYTES + KEY_OVERHEAD)));
}

function meta(owner: LedgerOwner, name: string, scenario: number, part: 'index' | 'node', annotations?: Record<string, string>): LedgerObject['metadata'] {
  return {
    name,
    labels: {
      'app.kubernetes.io/name': 'vmi-network-filter',
      'app.kubernetes.io/component': 'run-ledger',
      [LEDGER_LABELS.run]: owner.uid,
      [LEDGER_LABELS.scenario]: String(scenario),
      [LEDGER_LABELS.part]: part,
    },
    ...(annotations ? { annotations } : {}),
    // No blockOwnerDeletion: setting it needs `update` on the owner's finalizers, which the step
    // pods have no reason to hold.
    ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid }],
  };
}

/** The node objects and the index of one scenario's selection (and its window), index last. */
export function ledgerObjects(owner: LedgerOwner, scenario: number, targets: readonly Target[], window?: LedgerWindow): LedgerObject[] {
  const byNode = new Map<string, Target[]>();
  for (const t of targets) {
    const list = byNode.get(t.node);
    if (list) list.push(t);
    else byNode.set(t.node, [t]);
  }
  const nodes = [...byNode.entries()].map(([node, list]): LedgerObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(owner, nodeLedgerName(owner.uid, scenario, node), scenario, 'node', { 'vmi-network-filter.io/node': node }),
    data: { scenario: String(scenario), node, targets: JSON.stringify(list) },
  }));
  const index: LedgerObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(owner, indexName(owner.uid, scenario), scenario, 'index'),
    data: {
      scenario: String(scenario),
      targets: String(targets.length),
      nodes: JSON.stringify([...byNode.entries()].map(([node, list]) => ({ node, targets: list.length }))),
      ...(window ? { window: JSON.stringify(window) } : {}),
    },
  };
  return [...nodes, index];
}

/** A ledger part too large for its object: the selection is refused before any fault. */
export interface LedgerOverflow {
  readonly node: string;
  readonly targets: number;
  readonly max: number;
}

/** Nodes holding more targets than their object has room for (records included). */
export function ledgerOverflows(objects: readonly LedgerObject[]): LedgerOverflow[] {
  return objects
    .filter((o) => o.metadata.labels[LEDGER_LABELS.part] === 'node')
    .flatMap((o) => {
      const targets = JSON.parse(o.data.targets ?? '[]') as unknown[];
      const max = maxTargetsPerNode(Math.ceil((o.data.targets ?? '').length / Math.max(1, targets.length)));
      return targets.length > max ? [{ node: o.data.node ?? '', targets: targets.length, max }] : [];
    });
}

/**
 * `record` cut to RECORD_MAX_BYTES: the detail is shortened first, then the data dropped.
 * A record is one line of what happened; the step's log has the rest.
 */
export function boundRecord(record: LedgerRecord): LedgerRecord {
  let bounded = record;
  for (let cut = 400; JSON.stringify(bounded).length > RECORD_MAX_BYTES && cut >= 40; cut = Math.floor(cut / 2)) {
    bounded = { ...bounded, detail: record.detail.length > cut ? `${record.detail.slice(0, cut - 1)}…` : record.detail };
  }
  if (JSON.stringify(bounded).length > RECORD_MAX_BYTES) {
    const { data: _dropped, ...rest } = bounded;
    bounded = rest;
  }
  return bounded;
}

/** The merge patch writing `records` (by target index) under `record`. */
export function recordPatch(record: RecordName, records: ReadonlyMap<number, LedgerRecord>): { data: Record<string, string> } {
  return { data: Object.fromEntries([...records].map(([i, r]) => [recordKey(record, i), JSON.stringify(boundRecord(r))])) };
}

/** Thrown for a ledger object this tool did not write (or that was edited). */
export class LedgerError extends Error {}
LedgerError.prototype.name = 'LedgerError';

/** A node object's data, parsed and checked. @throws LedgerError. */
export function parseNodeLedger(name: string, data: Readonly<Record<string, string>>): NodeLedger {
  const scenario = Number(data.scenario);
  const node = data.node ?? '';
  let raw: unknown;
  try {
    raw = JSON.parse(data.targets ?? '');
  } catch {
    throw new LedgerError(`ledger ${name} has no readable targets`);
  }
  const parsed = targetSchema.array().safeParse(raw);
  if (!parsed.success || !Number.isInteger(scenario) || node === '') throw new LedgerError(`ledger ${name} is not a node ledger of vmi-network-filter`);
  const records = parsed.data.map((_, i) =>
    Object.fromEntries(RECORDS.flatMap((r) => {
      const value = data[recordKey(r, i)];
      const record = value === undefined ? undefined : parseRecord(value);
      return record ? [[r, record]] : [];
    })),
  );
  return { scenario, node, targets: parsed.data, records };
}

/** A scenario index's data, parsed. @throws LedgerError. */
export function parseLedgerIndex(name: string, data: Readonly<Record<string, string>>): LedgerIndex {
  try {
    const nodes = JSON.parse(data.nodes ?? '') as { node: unknown; targets: unknown }[];
    const scenario = Number(data.scenario);
    if (!Array.isArray(nodes) || !Number.isInteger(scenario) || nodes.some((n) => typeof n.node !== 'string' || !Number.isInteger(n.targets))) throw new Error('shape');
    const window = data.window === undefined ? undefined : (JSON.parse(data.window) as Partial<LedgerWindow>);
    if (window && !(Number.isSafeInteger(window.start) && Number.isSafeInteger(window.end) && window.end! > window.start!)) throw new Error('window');
    return { scenario, nodes: nodes as LedgerIndex['nodes'], targets: Number(data.targets), ...(window ? { window: { start: window.start!, end: window.end! } } : {}) };
  } catch {
    throw new LedgerError(`ledger ${name} is not a ledger index of vmi-network-filter`);
  }
}

function parseRecord(text: string): LedgerRecord | undefined {
  try {
    const r = JSON.parse(text) as Partial<LedgerRecord>;
    if (typeof r.ok !== 'boolean' || typeof r.at !== 'string' || typeof r.detail !== 'string') return undefined;
    return r as LedgerRecord;
  } catch {
    return undefined;
  }
}
