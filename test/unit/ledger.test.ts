/**
 * The run ledger's layout (pure): objects per node and the index, names a pod can find from the
 * node name alone, the size budget, bounded records, parsing, and a scenario's verdict.
 */
import { describe, expect, it } from 'vitest';
import { serialKeys } from '../../steps/commands/select.js';
import {
  boundRecord,
  indexName,
  LEDGER_OBJECT_BUDGET,
  ledgerObjects,
  ledgerOverflows,
  ledgerSelector,
  maxTargetsPerNode,
  nodeLedgerName,
  parseLedgerIndex,
  parseNodeLedger,
  RECORD_MAX_BYTES,
  recordPatch,
  type LedgerObject,
} from '../../kube/ledger.js';
import { judgeScenario } from '../../steps/ledger-verdict.js';
import type { Target } from '../../kube/target.js';

const RUN = '3f2c9a10-1b2c-4d5e-8f90-0a1b2c3d4e5f';
const owner = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', name: 'chaos-x7k2p', uid: RUN };
const target = (name: string, node: string): Target => ({
  namespace: 'shop',
  name,
  uid: '0a1b2c3d-0000-4000-8000-00000000000' + name.length,
  node,
  launcherPod: `virt-launcher-${name}-abcde`,
  launcherPodUid: '9f8e7d6c-0000-4000-8000-000000000001',
  binding: 'masquerade',
});
const targets = [target('web-1', 'worker-a'), target('web-2', 'worker-b'), target('web-3', 'worker-a')];
const part = (objects: LedgerObject[], node: string): LedgerObject => objects.find((o) => o.data.node === node)!;

describe('the run ledger', () => {
  it('should hold one object per node, in select order within the node, then the index, all owned by the run', () => {
    const objects = ledgerObjects(owner, 2, targets);
    expect(objects.map((o) => o.metadata.labels['vmi-network-filter.io/ledger'])).toEqual(['node', 'node', 'index']);
    expect(objects.map((o) => o.metadata.name)).toEqual([nodeLedgerName(RUN, 2, 'worker-a'), nodeLedgerName(RUN, 2, 'worker-b'), indexName(RUN, 2)]);
    expect(JSON.parse(part(objects, 'worker-a').data.targets!).map((t: Target) => t.name)).toEqual(['web-1', 'web-3']);
    expect(JSON.parse(objects[2]!.data.nodes!)).toEqual([
      { node: 'worker-a', targets: 2 },
      { node: 'worker-b', targets: 1 },
    ]);
    for (const o of objects) {
      expect(o.metadata.ownerReferences).toEqual([owner]);
      expect(o.metadata.labels).toMatchObject({ 'vmi-network-filter.io/run': RUN, 'vmi-network-filter.io/scenario': '2' });
    }
    expect(ledgerSelector(RUN, 2)).toBe(`vmi-network-filter.io/run=${RUN},vmi-network-filter.io/scenario=2`);
  });

  it("should carry a synchronized onset's window in the index only, and refuse a window that is not one", () => {
    const objects = ledgerObjects(owner, 1, targets, { start: 1800000000, end: 1800000060 });
    expect(objects.filter((o) => o.data.window !== undefined).map((o) => o.metadata.name)).toEqual([indexName(RUN, 1)]);
    expect(parseLedgerIndex('i', objects[2]!.data)).toEqual({ scenario: 1, targets: 3, nodes: [{ node: 'worker-a', targets: 2 }, { node: 'worker-b', targets: 1 }], window: { start: 1800000000, end: 1800000060 } });
    expect(parseLedgerIndex('i', ledgerObjects(owner, 1, targets)[2]!.data).window).toBeUndefined();
    for (const bad of ['{"start":1800000060,"end":1800000000}', '{"start":"1800000000","end":1800000060}', '[]']) {
      expect(() => parseLedgerIndex('i', { ...objects[2]!.data, window: bad })).toThrow('ledger i is not a ledger index of vmi-network-filter');
    }
  });

  it('should name a node part from the node name alone, as a DNS name whatever the node name', () => {
    const long = `${'n'.repeat(240)}.example.com`;
    const name = nodeLedgerName(RUN, 1, long);
    expect(name).toMatch(/^vnf-[0-9a-f-]{36}-1-[0-9a-f]{12}$/);
    expect(name).toBe(nodeLedgerName(RUN, 1, long));
    expect(name).not.toBe(nodeLedgerName(RUN, 1, 'worker-a'));
    expect(name).not.toBe(nodeLedgerName(RUN, 2, long));
  });

  it('should key one record per VMI and step, so that writers never share a key', () => {
    const patch = recordPatch('exit-rollback', new Map([[0, { ok: true, at: '2026-12-03T12:00:00Z', detail: 'removed table inet vnf-x' }], [3, { ok: false, at: '2026-12-03T12:00:01Z', detail: 'nft: busy' }]]));
    expect(Object.keys(patch.data)).toEqual(['exit-rollback.0', 'exit-rollback.3']);
    expect(JSON.parse(patch.data['exit-rollback.3']!)).toEqual({ ok: false, at: '2026-12-03T12:00:01Z', detail: 'nft: busy' });
  });

  it('should parse a node part with its records, and refuse an object it did not write', () => {
    const objects = ledgerObjects(owner, 1, targets);
    const a = part(objects, 'worker-a');
    const data = { ...a.data, 'inject.1': JSON.stringify({ ok: true, at: 't', detail: 'applied 4 rules', data: { rules: 4 } }), 'verify.1': 'not json', 'other.0': '{}' };
    const parsed = parseNodeLedger(a.metadata.name, data);
    expect(parsed).toMatchObject({ scenario: 1, node: 'worker-a' });
    expect(parsed.records).toEqual([{}, { inject: { ok: true, at: 't', detail: 'applied 4 rules', data: { rules: 4 } } }]);
    expect(() => parseNodeLedger('x', { scenario: '1', node: 'worker-a', targets: '[{"name":"no"}]' })).toThrow('ledger x is not a node ledger of vmi-network-filter');
    expect(() => parseLedgerIndex('y', { scenario: '1', nodes: '{}' })).toThrow('ledger y is not a ledger index of vmi-network-filter');
    expect(parseLedgerIndex('i', objects[2]!.data)).toEqual({ scenario: 1, targets: 3, nodes: [{ node: 'worker-a', targets: 2 }, { node: 'worker-b', targets: 1 }] });
  });

  it('should bound every record, so that a node part with room for its VMIs never outgrows its object', () => {
    const huge = boundRecord({ ok: false, at: '2026-12-03T12:00:00.000Z', detail: 'x'.repeat(10_000), data: { backend: 'nftables', rules: 12 } });
    expect(JSON.stringify(huge).length).toBeLessThanOrEqual(RECORD_MAX_BYTES);
    expect(huge.detail).toMatch(/^x+…$/);
    const small = { ok: true, at: '2026-12-03T12:00:00.000Z', detail: 'applied 4 rules (nftables)', data: { rules: 4 } };
    expect(boundRecord(small)).toEqual(small);
    // The most targets a node part may hold leaves room for four maximal records per target.
    const perTarget = JSON.stringify(targets[0]).length;
    const max = maxTargetsPerNode(perTarget);
    expect(max * (perTarget + 4 * (RECORD_MAX_BYTES + 32))).toBeLessThanOrEqual(LEDGER_OBJECT_BUDGET);
    expect(max).toBeGreaterThan(200); // kubelet's max-pods is 110 by default, 250 in density setups
  });

  it('should name each node that holds more targets than its object has room for', () => {
    const many = Array.from({ length: 400 }, (_, i) => target(`vm-${i}`, 'dense'));
    const overflows = ledgerOverflows(ledgerObjects(owner, 1, [...many, target('web-9', 'worker-b')]));
    expect(overflows).toEqual([{ node: 'dense', targets: 400, max: expect.any(Number) }]);
    expect(overflows[0]!.max).toBeLessThan(400);
    expect(ledgerOverflows(ledgerObjects(owner, 1, targets))).toEqual([]);
  });

  it('should give each serial key its node and its index in that node\'s part', () => {
    expect(serialKeys(targets).map((k) => `${k.vmi} ${k.node}#${k.index}`)).toEqual(['shop/web-1 worker-a#0', 'shop/web-2 worker-b#0', 'shop/web-3 worker-a#1']);
  });
});

describe('judgeScenario', () => {
  const objects = ledgerObjects(owner, 1, targets);
  const index = parseLedgerIndex('i', objects[2]!.data);
  const record = (ok: boolean, detail = 'done'): string => JSON.stringify({ ok, at: '2026-12-03T12:00:00Z', detail });
  const nodes = (a: Record<string, string>, b: Record<string, string>) => [
    parseNodeLedger('a', { ...part(objects, 'worker-a').data, ...a }),
    parseNodeLedger('b', { ...part(objects, 'worker-b').data, ...b }),
  ];

  it('should pass when every VMI was injected, verified and rolled back', () => {
    const all = (n: number): Record<string, string> =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => ['inject', 'verify', 'rollback'].map((r) => [`${r}.${i}`, record(true)])).flat());
    expect(judgeScenario(index, nodes(all(2), all(1)))).toEqual({ scenario: 1, targets: 3, problems: [] });
  });

  it("should name each VMI whose fault did not hold or whose rollback is not confirmed, and a node whose pod wrote nothing", () => {
    const a = { 'inject.0': record(true), 'verify.0': record(false, 'netfilter: rule in-tcp-53 missing'), 'rollback.0': record(true), 'inject.1': record(true), 'verify.1': record(true), 'rollback.1': record(false, 'nft: busy'), 'exit-rollback.1': record(true) };
    const verdict = judgeScenario(index, nodes(a, {}));
    expect(verdict.problems.map((p) => `${p.vmi}@${p.node}: ${p.problem}`)).toEqual([
      'shop/web-1@worker-a: verify failed: netfilter: rule in-tcp-53 missing',
      "shop/web-2@worker-b: no inject record: its node's inject pod failed or never ran",
      "shop/web-2@worker-b: no rollback record: its node's rollback pod failed or never ran",
    ]);
  });

  it('should say so when a node part the index names is missing', () => {
    expect(judgeScenario(index, [parseNodeLedger('b', part(objects, 'worker-b').data)]).problems[0]).toEqual({ vmi: '(2 VMIs)', node: 'worker-a', problem: "the node's part of the run ledger is missing" });
  });
});
