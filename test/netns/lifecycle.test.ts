/**
 * The run lifecycle around the flow matrix: several runs in one namespace, idempotent inject and
 * rollback, foreign rules, tampering, signals. Real CLI processes against a masquerade launcher.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iptablesRemove, netnsAt, runNames } from '../../steps/netfilter/index.js';
import { runCli, scenarioJson, startCli, stepArgs } from './helpers/cli.js';
import { expectedVerdict, flowsFor, matrixMismatches, probe, type FilterConfig } from './helpers/flows.js';
import { rulesetSnapshot } from './helpers/ruleset.js';
import { uniqueRunId } from './helpers/scenario-case.js';
import { buildTopology, type Topology } from './helpers/topology.js';

const DNS: FilterConfig = { ingress: true, egress: true, ports: [53], protocols: ['tcp', 'udp'] };
const WEB: FilterConfig = { ingress: true, egress: true, ports: [80, 443], protocols: ['tcp', 'udp'] };

describe('run lifecycle in one launcher namespace', () => {
  let t: Topology;
  let netns: string;
  beforeAll(async () => {
    t = await buildTopology({ binding: 'masquerade' });
    netns = t.path('launcher');
  });
  afterAll(async () => {
    await t?.destroy();
  });

  for (const backend of ['nftables', 'iptables'] as const) {
    it(`should keep two runs apart with ${backend}: rolling back one leaves the other intact`, async () => {
      const before = rulesetSnapshot(netns);
      const [a, b] = [uniqueRunId('a'), uniqueRunId('b')];
      expect((await runCli(stepArgs('inject', netns, a, 'masquerade', scenarioJson(DNS), backend))).code).toBe(0);
      expect((await runCli(stepArgs('inject', netns, b, 'masquerade', scenarioJson(WEB), backend))).code).toBe(0);
      expect(await matrixMismatches(t, { ...DNS, ports: [53, 80, 443] })).toEqual([]);

      expect((await runCli(stepArgs('rollback', netns, a, 'masquerade'))).code).toBe(0);
      const verifyB = await runCli(stepArgs('verify', netns, b, 'masquerade', scenarioJson(WEB), backend));
      expect(verifyB.code).toBe(0);
      expect(await matrixMismatches(t, WEB)).toEqual([]);
      const verifyA = await runCli(stepArgs('verify', netns, a, 'masquerade', scenarioJson(DNS), backend));
      expect(verifyA.code).toBe(1);
      expect(verifyA.stderr).toContain(`no rules of run ${a} in this namespace`);

      expect((await runCli(stepArgs('rollback', netns, b, 'masquerade'))).code).toBe(0);
      expect(rulesetSnapshot(netns)).toBe(before);
    });

    it(`should replace, not duplicate, the rules when inject re-runs with the same run id (${backend})`, async () => {
      const before = rulesetSnapshot(netns);
      const runId = uniqueRunId('rerun');
      const first = await runCli(stepArgs('inject', netns, runId, 'masquerade', scenarioJson(WEB), backend));
      expect(first.result).toMatchObject({ ok: true, replaced: false });
      const second = await runCli(stepArgs('inject', netns, runId, 'masquerade', scenarioJson(DNS), backend));
      expect(second.result).toMatchObject({ ok: true, replaced: true });
      expect(second.result?.objects).toEqual(first.result?.objects);
      // The second scenario's rules, and only those.
      expect((await runCli(stepArgs('verify', netns, runId, 'masquerade', scenarioJson(DNS), backend))).code).toBe(0);
      expect(await matrixMismatches(t, DNS)).toEqual([]);
      expect((await runCli(stepArgs('rollback', netns, runId, 'masquerade'))).code).toBe(0);
      expect(rulesetSnapshot(netns)).toBe(before);
    });
  }

  it('should filter the interfaces the scenario names, and refuse unknown ones, listing what there is', async () => {
    const before = rulesetSnapshot(netns);
    const runId = uniqueRunId('named');
    const unknown = await runCli(stepArgs('inject', netns, runId, 'masquerade', scenarioJson({ ...DNS, interfaces: ['eth9'] })));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('error: interfaces eth9 are not VM interfaces in this namespace; available: eth0/k6t-eth0/tap0\n');
    expect(rulesetSnapshot(netns)).toBe(before);
    const named = await runCli(stepArgs('inject', netns, runId, 'masquerade', scenarioJson({ ...DNS, interfaces: ['tap0'] })));
    expect(named.result).toMatchObject({ ok: true, interfaces: [{ podIface: 'eth0', bridge: 'k6t-eth0', tap: 'tap0' }] });
    expect(named.logs.some((l) => l.msg === 'filtering eth0 (named by the scenario: tap0)')).toBe(true);
    expect((await runCli(stepArgs('rollback', netns, runId, 'masquerade'))).code).toBe(0);
  });

  it('should succeed when rolling back twice, or without any inject', async () => {
    const before = rulesetSnapshot(netns);
    const runId = uniqueRunId('twice');
    expect((await runCli(stepArgs('inject', netns, runId, 'masquerade', scenarioJson(DNS)))).code).toBe(0);
    const first = await runCli(stepArgs('rollback', netns, runId, 'masquerade'));
    const second = await runCli(stepArgs('rollback', netns, runId, 'masquerade'));
    const never = await runCli(stepArgs('rollback', netns, uniqueRunId('never'), 'masquerade'));
    expect([first.code, second.code, never.code]).toEqual([0, 0, 0]);
    expect(first.result).toMatchObject({ ok: true, gone: false });
    expect((first.result?.removed as string[]).length).toBe(1);
    expect(second.result).toMatchObject({ ok: true, removed: [], gone: false });
    expect(never.result).toMatchObject({ ok: true, removed: [], gone: false });
    expect(rulesetSnapshot(netns)).toBe(before);
  });

  it('should remove the iptables objects with iptables-restore alone (no nft installed), sparing the other run', async () => {
    const before = rulesetSnapshot(netns);
    const [a, b] = [uniqueRunId('restore-a'), uniqueRunId('restore-b')];
    expect((await runCli(stepArgs('inject', netns, a, 'masquerade', scenarioJson(DNS), 'iptables'))).code).toBe(0);
    expect((await runCli(stepArgs('inject', netns, b, 'masquerade', scenarioJson(WEB), 'iptables'))).code).toBe(0);
    const removed = await iptablesRemove(netnsAt(netns), runNames(a));
    expect(removed).toEqual([`ipv4 ${runNames(a).chain('forward')}`, `ipv6 ${runNames(a).chain('forward')}`]);
    expect(await iptablesRemove(netnsAt(netns), runNames(a))).toEqual([]);
    expect((await runCli(stepArgs('verify', netns, b, 'masquerade', scenarioJson(WEB), 'iptables'))).code).toBe(0);
    expect((await runCli(stepArgs('rollback', netns, b, 'masquerade'))).code).toBe(0);
    expect(rulesetSnapshot(netns)).toBe(before);
  });

  it('should keep a foreign rule inserted above its jump, and warn about it in verify (iptables)', async () => {
    const runId = uniqueRunId('foreign');
    expect((await runCli(stepArgs('inject', netns, runId, 'masquerade', scenarioJson(DNS), 'iptables'))).code).toBe(0);
    const foreign = ['-p', 'tcp', '--dport', '8443', '-m', 'comment', '--comment', 'foreign rule', '-j', 'ACCEPT'];
    t.exec('launcher', ['iptables', '-I', 'FORWARD', '1', ...foreign]);
    t.exec('launcher', ['nft', 'add', 'table', 'inet', 'foreign']);
    const verify = await runCli(stepArgs('verify', netns, runId, 'masquerade', scenarioJson(DNS), 'iptables'));
    expect(verify.code).toBe(0);
    expect(JSON.stringify(verify.result)).toContain('a foreign rule precedes our jump in FORWARD');

    expect((await runCli(stepArgs('rollback', netns, runId, 'masquerade'))).code).toBe(0);
    expect(t.exec('launcher', ['iptables', '-S', 'FORWARD'])).toBe('-P FORWARD ACCEPT\n-A FORWARD -p tcp -m tcp --dport 8443 -m comment --comment "foreign rule" -j ACCEPT\n');
    expect(t.exec('launcher', ['nft', 'list', 'tables'])).toContain('table inet foreign');
    t.exec('launcher', ['iptables', '-D', 'FORWARD', ...foreign]);
    t.exec('launcher', ['nft', 'delete', 'table', 'inet', 'foreign']);
  });

  it('should fail verify, naming what is missing, when a rule of the run was deleted', async () => {
    const runId = uniqueRunId('tamper');
    const inject = await runCli(stepArgs('inject', netns, runId, 'masquerade', scenarioJson(DNS), 'iptables'));
    const chain = (inject.result?.objects as string[])[0]!.split(' ')[1]!;
    t.exec('launcher', ['ip6tables', '-D', chain, '1']);
    const verify = await runCli(stepArgs('verify', netns, runId, 'masquerade', scenarioJson(DNS), 'iptables'));
    expect(verify.code).toBe(1);
    expect(verify.stderr).toBe(
      `error: verification failed: netfilter: ipv6: chain ${chain} holds [egress eth0 | ingress eth0 | ingress eth0], expected [egress eth0 | egress eth0 | ingress eth0 | ingress eth0]\n`,
    );
    expect(verify.result).toMatchObject({ step: 'verify', ok: false });
    expect((await runCli(stepArgs('rollback', netns, runId, 'masquerade'))).code).toBe(0);
  });

  for (const [moment, marker, detail] of [
    ['before the transaction', '"msg":"launcher namespace"', 'nothing was applied'],
    ['during the transaction', '"msg":"backend ', 'the rules applied meanwhile were removed again'],
  ] as const) {
    it(`should finish and undo, leaving nothing, when SIGTERM arrives ${moment}`, async () => {
      const before = rulesetSnapshot(netns);
      const proc = startCli(stepArgs('inject', netns, uniqueRunId('sigterm'), 'masquerade', scenarioJson(DNS), 'iptables'));
      proc.child.stdout!.on('data', (d: Buffer) => d.toString().includes(marker) && proc.child.kill('SIGTERM'));
      const run = await proc.done;
      expect(run.code).toBe(143);
      expect(run.stderr).toBe(`error: stopped by SIGTERM: ${detail}\n`);
      expect(run.result).toMatchObject({ step: 'inject', ok: false });
      expect(rulesetSnapshot(netns)).toBe(before);
    });
  }

  it('should leave all or nothing whenever SIGTERM arrives', async () => {
    const before = rulesetSnapshot(netns);
    for (const delayMs of [0, 100, 200, 300, 400, 500, 700]) {
      const runId = uniqueRunId('sigterm');
      const proc = startCli(stepArgs('inject', netns, runId, 'masquerade', scenarioJson(DNS), 'nftables'));
      setTimeout(() => proc.child.kill('SIGTERM'), delayMs);
      const run = await proc.done;
      const detail = `delay ${delayMs} ms, exit ${run.code} ${run.signal}: ${run.stderr}`;
      // Stopped by the step (143: nothing left) or done (0); or killed outright by the default
      // handler before the step guarded itself (nothing applied yet) or after it finished.
      expect(run.code === 0 || run.code === 143 || run.signal === 'SIGTERM', detail).toBe(true);
      if (run.code === 143) expect(rulesetSnapshot(netns), detail).toBe(before);
      if (rulesetSnapshot(netns) !== before) {
        // Something is there: it must be the whole rule set, never a part of it.
        expect(run.code === 143, detail).toBe(false);
        expect((await runCli(stepArgs('verify', netns, runId, 'masquerade', scenarioJson(DNS), 'nftables'))).code, detail).toBe(0);
        expect((await runCli(stepArgs('rollback', netns, runId, 'masquerade'))).code).toBe(0);
      }
      expect(rulesetSnapshot(netns)).toBe(before);
    }
  });

  it('should succeed when rolling back after the namespace vanished', async () => {
    const gone = await buildTopology({ binding: 'passt' });
    try {
      const runId = uniqueRunId('vanish');
      const path = gone.path('launcher');
      const scenario = scenarioJson(DNS);
      expect((await runCli(stepArgs('inject', path, runId, 'passt', scenario))).code).toBe(0);
      // Probe once while it is there: the fault was real.
      const flows = flowsFor(gone).filter((f) => f.id === 'guest->peer tcp/53');
      expect((await probe(gone, flows)).get('guest->peer tcp/53')?.status).toBe(expectedVerdict(flows[0]!, DNS));
      await gone.destroy();
      const rollback = await runCli(stepArgs('rollback', path, runId, 'passt'));
      expect(rollback.code).toBe(0);
      expect(rollback.result).toMatchObject({ ok: true, gone: true, removed: [] });
    } finally {
      await gone.destroy();
    }
  });
});
