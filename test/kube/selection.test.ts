import { describe, expect, it } from 'vitest';
import {
  describeEmptySelection,
  filterVmis,
  seededRandom,
  selectTargets,
  toLauncherPodRecord,
  toVmiRecord,
  type LauncherPodRecord,
  type SelectionCriteria,
  type VmiRecord,
} from '../../kube/index.js';
import { launcherPodName, launcherUid, uidFor } from './fixture-ids.js';
import { vmiObject, type VmiOptions } from './kubevirt-vmi.js';
import { launcherPodIp, launcherPodObject, type LauncherPodOptions } from './virt-launcher-pod.js';

const criteria = (o: Partial<SelectionCriteria> = {}): SelectionCriteria => ({ namespace: '.*', target: '.*', labelSelector: '', instanceCount: 0, interfaces: [], ...o });
const vmi = (o: VmiOptions): VmiRecord => toVmiRecord(vmiObject(o))!;
const pod = (o: LauncherPodOptions): LauncherPodRecord => toLauncherPodRecord(launcherPodObject(o))!;
/** A Running VMI with its Running launcher pod. */
const pair = (namespace: string, name: string, node = 'worker-0'): [VmiRecord, LauncherPodRecord] => [
  vmi({ namespace, name, node }),
  pod({ namespace, vmiName: name, node }),
];
const names = (items: readonly { namespace: string; name: string }[]): string[] => items.map((i) => `${i.namespace}/${i.name}`);

function world(...pairs: [VmiRecord, LauncherPodRecord][]): { vmis: VmiRecord[]; pods: LauncherPodRecord[] } {
  return { vmis: pairs.map(([v]) => v), pods: pairs.map(([, p]) => p) };
}

describe('selection: regexes with krkn semantics (anchored at the start only)', () => {
  const { vmis, pods } = world(pair('prod', 'vm-1'), pair('prod', 'vm-10'), pair('production', 'db-1'), pair('preprod', 'vm-1'), pair('dev', 'Vm-2'));

  it('should match namespaces starting with the regex, not containing it', () => {
    expect(names(selectTargets(vmis, pods, criteria({ namespace: 'prod' }), seededRandom(1)).targets)).toEqual(['prod/vm-1', 'prod/vm-10', 'production/db-1']);
  });

  it('should match a full name only when the regex ends with $', () => {
    expect(names(selectTargets(vmis, pods, criteria({ namespace: 'prod$', target: 'vm-1$' }), seededRandom(1)).targets)).toEqual(['prod/vm-1']);
  });

  it('should treat an empty target regex as every VMI and honour (?i)', () => {
    expect(selectTargets(vmis, pods, criteria({ target: '' }), seededRandom(1)).targets).toHaveLength(5);
    expect(names(selectTargets(vmis, pods, criteria({ target: '(?i)vm-2' }), seededRandom(1)).targets)).toEqual(['dev/Vm-2']);
  });

  it("should read the regexes with Python's grammar: {,3}, ]1 first in a set, inline comments and verbose mode", () => {
    expect(names(selectTargets(vmis, pods, criteria({ namespace: 'prod$', target: 'vm-1{,3}$' }), seededRandom(1)).targets)).toEqual(['prod/vm-1']);
    expect(names(selectTargets(vmis, pods, criteria({ namespace: '(?x) pre  prod # comment', target: 'vm(?#the prefix)-[]1]' }), seededRandom(1)).targets)).toEqual(['preprod/vm-1']);
  });

  it('should stop, naming the key, when a backtracking regex exhausts its budget', () => {
    const many = world(pair('prod', `${'a'.repeat(40)}!`));
    expect(() => selectTargets(many.vmis, many.pods, criteria({ target: '(a+)+(?=b)' }), seededRandom(1))).toThrow(/^target regex "\(a\+\)\+\(\?=b\)" gave up on "a{40}!" after 1,000,000 backtracking steps: it uses a lookahead/);
  });

  it('should count what each regex removed', () => {
    const { counts } = selectTargets(vmis, pods, criteria({ namespace: 'prod', target: 'vm' }), seededRandom(1));
    expect(counts).toMatchObject({ listed: 5, namespaceRegex: 2, targetRegex: 1, candidates: 2, eligible: 2, selected: 2 });
  });
});

describe('selection: state, bindings and launcher pods', () => {
  it('should leave out VMIs that are not Running on a node, saying why', () => {
    const vmis = [vmi({ namespace: 'a', name: 'pending', phase: 'Scheduling', node: null }), vmi({ namespace: 'a', name: 'nonode', node: null }), vmi({ namespace: 'a', name: 'stopped', phase: 'Succeeded' })];
    const { exclusions, counts } = filterVmis(vmis, criteria());
    expect(exclusions).toEqual([
      { namespace: 'a', name: 'pending', reason: 'not-running', detail: 'phase is Scheduling' },
      { namespace: 'a', name: 'nonode', reason: 'not-running', detail: 'Running but without status.nodeName' },
      { namespace: 'a', name: 'stopped', reason: 'not-running', detail: 'phase is Succeeded' },
    ]);
    expect(counts.notRunning).toBe(3);
  });

  it('should report and leave out VMIs whose binding cannot be filtered', () => {
    const vmis = [
      vmi({ namespace: 'a', name: 'sriov', interfaces: [{ name: 'fast', binding: 'sriov' }] }),
      vmi({ namespace: 'a', name: 'macvtap', interfaces: [{ name: 'l2', binding: 'macvtap' }] }),
      vmi({ namespace: 'a', name: 'plugin', interfaces: [{ name: 'default', binding: { plugin: 'managedtap' } }] }),
      vmi({ namespace: 'a', name: 'offline', interfaces: null, autoattachPodInterface: false }),
      vmi({ namespace: 'a', name: 'ok', interfaces: [{ name: 'default', binding: 'passt' }] }),
    ];
    const { candidates, exclusions, counts } = filterVmis(vmis, criteria());
    expect(names(candidates)).toEqual(['a/ok']);
    expect(exclusions.map((e) => [e.name, e.reason, e.detail])).toEqual([
      ['sriov', 'unsupported-binding', 'primary interface "fast" uses the sriov binding: its traffic bypasses the virt-launcher network namespace'],
      ['macvtap', 'unsupported-binding', 'primary interface "l2" uses the macvtap binding: its traffic bypasses the virt-launcher network namespace'],
      ['plugin', 'unsupported-binding', 'primary interface "default" uses the network binding plugin "managedtap", which this tool cannot filter'],
      ['offline', 'unsupported-binding', 'the VMI has no network interface (autoattachPodInterface: false)'],
    ]);
    expect(counts.unsupportedByKind).toEqual({ sriov: 1, macvtap: 1, 'plugin:managedtap': 1, none: 1 });
  });

  it('should take the bridge binding for a VMI without interfaces', () => {
    const v = vmi({ namespace: 'a', name: 'legacy', interfaces: null });
    const p = pod({ namespace: 'a', vmiName: 'legacy' });
    expect(selectTargets([v], [p], criteria(), seededRandom(1)).targets[0]?.binding).toBe('bridge');
  });

  it('should leave out a VMI whose live migration is in progress', () => {
    const v = vmi({ namespace: 'a', name: 'moving', node: 'worker-1', migration: { sourceNode: 'worker-1', targetNode: 'worker-2', targetPod: launcherPodName('moving', 1) } });
    expect(filterVmis([v], criteria()).exclusions).toEqual([
      { namespace: 'a', name: 'moving', reason: 'migrating', detail: 'live migration in progress from worker-1 to worker-2; a fault injected now would be lost when it completes' },
    ]);
  });

  it('should pick the Running launcher pod after a completed migration (the source pod ended Succeeded)', () => {
    const v = vmi({
      namespace: 'a',
      name: 'moved',
      node: 'worker-2',
      migration: { sourceNode: 'worker-1', targetNode: 'worker-2', targetPod: launcherPodName('moved', 1), completed: true },
      activePods: { [launcherUid('a', 'moved', 1)]: 'worker-2' },
    });
    const source = pod({ namespace: 'a', vmiName: 'moved', generation: 0, node: 'worker-1', phase: 'Succeeded' });
    const target = pod({ namespace: 'a', vmiName: 'moved', generation: 1, node: 'worker-2' });
    expect(selectTargets([v], [source, target], criteria(), seededRandom(1)).targets).toEqual([
      {
        namespace: 'a',
        name: 'moved',
        uid: uidFor('vmi/a/moved'),
        node: 'worker-2',
        launcherPod: launcherPodName('moved', 1),
        launcherPodUid: launcherUid('a', 'moved', 1),
        launcherPodIPs: [launcherPodIp('a', 'moved', 1)],
        binding: 'masquerade',
      },
    ]);
  });

  it('should pick the pod on the VMI node while two launcher pods are Running', () => {
    const v = vmi({ namespace: 'a', name: 'vm', node: 'worker-1' });
    const pods = [pod({ namespace: 'a', vmiName: 'vm', generation: 0, node: 'worker-1' }), pod({ namespace: 'a', vmiName: 'vm', generation: 1, node: 'worker-2' })];
    expect(selectTargets([v], pods, criteria(), seededRandom(1)).targets[0]?.launcherPod).toBe(launcherPodName('vm', 0));
  });

  it('should match launcher pods by owner reference when the created-by label is missing', () => {
    const v = vmi({ namespace: 'a', name: 'vm' });
    const p = pod({ namespace: 'a', vmiName: 'vm', link: 'owner' });
    expect(selectTargets([v], [p], criteria(), seededRandom(1)).targets[0]?.launcherPodUid).toBe(launcherUid('a', 'vm'));
  });

  it('should leave out a VMI without a Running launcher pod, naming the pods it has', () => {
    const vmis = [vmi({ namespace: 'a', name: 'lost' }), vmi({ namespace: 'a', name: 'starting' }), vmi({ namespace: 'a', name: 'elsewhere', node: 'worker-1' })];
    const pods = [pod({ namespace: 'a', vmiName: 'starting', phase: 'Pending' }), pod({ namespace: 'a', vmiName: 'elsewhere', node: 'worker-9' })];
    const selection = selectTargets(vmis, pods, criteria(), seededRandom(1));
    expect(selection.exclusions.map((e) => [e.name, e.detail])).toEqual([
      ['elsewhere', `no Running virt-launcher pod on the VMI's node worker-1 (${launcherPodName('elsewhere')} on worker-9)`],
      ['lost', 'no virt-launcher pod found'],
      ['starting', `no Running virt-launcher pod (${launcherPodName('starting')} is Pending)`],
    ]);
    expect(selection.counts).toMatchObject({ candidates: 3, noLauncherPod: 3, eligible: 0, selected: 0 });
  });

  it('should ignore a pod of the same VMI uid in another namespace', () => {
    const v = vmi({ namespace: 'a', name: 'vm' });
    const stray = pod({ namespace: 'b', vmiName: 'vm', vmiUid: v.uid });
    expect(selectTargets([v], [stray], criteria(), seededRandom(1)).counts.noLauncherPod).toBe(1);
  });

  it("should pass the scenario's explicit interfaces on to every target", () => {
    const { vmis, pods } = world(pair('a', 'vm'));
    expect(selectTargets(vmis, pods, criteria({ interfaces: ['tap0', 'k6t-eth0'] }), seededRandom(1)).targets[0]?.interfaces).toEqual(['tap0', 'k6t-eth0']);
  });
});

describe('selection: instance_count sampling', () => {
  const pairs = Array.from({ length: 30 }, (_, i) => pair(`ns-${i % 3}`, `vm-${String(i).padStart(2, '0')}`));
  const { vmis, pods } = world(...pairs);

  it('should choose the same VMIs for the same seed, whatever order the API listed them in', () => {
    const a = selectTargets(vmis, pods, criteria({ instanceCount: 4 }), seededRandom(99));
    const b = selectTargets([...vmis].reverse(), [...pods].reverse(), criteria({ instanceCount: 4 }), seededRandom(99));
    expect(a.targets).toHaveLength(4);
    expect(b.targets).toEqual(a.targets);
    expect(a.counts).toMatchObject({ eligible: 30, notChosen: 26, selected: 4 });
    expect(a.notChosen).toHaveLength(26);
  });

  it('should choose differently for different seeds', () => {
    const choices = new Set([1, 2, 3, 4, 5].map((seed) => names(selectTargets(vmis, pods, criteria({ instanceCount: 4 }), seededRandom(seed)).targets).join()));
    expect(choices.size).toBeGreaterThan(1);
  });

  it('should choose all eligible VMIs for instance_count 0', () => {
    expect(selectTargets(vmis, pods, criteria({ instanceCount: 0 }), seededRandom(1)).targets).toHaveLength(30);
  });
});

describe('selection: the empty-selection message', () => {
  it('should name the selectors and what each filter removed', () => {
    const vmis = [
      vmi({ namespace: 'dev', name: 'vm-1' }),
      vmi({ namespace: 'prod', name: 'db-1' }),
      vmi({ namespace: 'prod', name: 'vm-2', phase: 'Failed' }),
      vmi({ namespace: 'prod', name: 'vm-3', interfaces: [{ name: 'x', binding: 'sriov' }] }),
      vmi({ namespace: 'prod', name: 'vm-4' }),
    ];
    const c = criteria({ namespace: '^prod', target: 'vm-', labelSelector: 'app=db' });
    const { counts } = selectTargets(vmis, [], c, seededRandom(1));
    expect(describeEmptySelection(c, counts, { fallback: false })).toBe(
      'no VMI selected: namespace regex "^prod", target regex "vm-", label selector "app=db": 5 VMIs listed at cluster scope; namespace regex removed 1, target regex removed 1, not Running on a node removed 1, live migration in progress removed 0, unsupported binding removed 1 (sriov 1), no Running virt-launcher pod removed 1',
    );
    expect(describeEmptySelection(criteria({ namespace: 'prod' }), { ...counts, listed: 1 }, { namespace: 'prod', fallback: true })).toMatch(
      /^no VMI selected: namespace regex "prod", target regex "\.\*", label selector \(none\): 1 VMI listed in namespace "prod" only \(the cluster-wide list is forbidden\); /,
    );
  });
});
