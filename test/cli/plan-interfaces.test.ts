/**
 * `plan --interfaces` prints what inject installs: for every binding and every spelling of an
 * interface (pod interface, bridge, tap, the bridge binding's -nic), plan's rules equal the rules
 * inject plans on a recorded launcher namespace of that binding, and what inject refuses plan
 * refuses. The real bin for plan; inject's own resolution and planning for the expectation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarios } from '../../scenario/index.js';
import { planForScenario } from '../../steps/commands/node-step.js';
import {
  createText,
  DetectionError,
  IP_FAMILIES,
  parseDefaultRouteDevices,
  parseLinks,
  renderIptables,
  renderNft,
  resolveAttachments,
  unixNow,
  type FilterableBinding,
  type LinkRecord,
} from '../../steps/netfilter/index.js';
import { cli, ROOT } from './run-cli.js';

const NETFILTER = join(ROOT, 'test/unit/fixtures/netfilter');
const recorded = (name: string): string => readFileSync(join(NETFILTER, name), 'utf8');

/** What inject sees in a launcher namespace of each binding. */
const LAUNCHERS: Record<FilterableBinding, { links: LinkRecord[]; defaultDevices: string[] }> = {
  masquerade: { links: parseLinks(recorded('ip-link-masquerade-launcher.json')), defaultDevices: parseDefaultRouteDevices(recorded('ip-route-default-masquerade.json')) },
  bridge: { links: parseLinks(recorded('ip-link-bridge-launcher.json')), defaultDevices: parseDefaultRouteDevices(recorded('ip-route-default-bridge-empty.json')) },
  // passt and slirp: no bridge, no tap; the relay uses the pod interface (lab/ topology).
  passt: { links: [{ name: 'lo' }, { name: 'eth0', kind: 'veth' }], defaultDevices: ['eth0'] },
  slirp: { links: [{ name: 'lo' }, { name: 'eth0', kind: 'veth' }], defaultDevices: ['eth0'] },
};
const SPELLINGS = ['', 'eth0', 'tap0', 'k6t-eth0', 'eth0-nic'];
const RELAY_UID = 107;

/** The text of the rules without what depends on the clock. */
const timeless = (text: string): string => text.replace(/expires=\d+/g, 'expires=T').replace(/--datestop \S+/g, '--datestop T').replace(/timeout \d+s/g, 'timeout Ns');

/** inject's plan for `interfaces` on the recorded namespace, as text; or its refusal. */
function injectPlans(binding: FilterableBinding, interfaces: string): { texts: string[]; attachments: string } | { refused: string } {
  const scenario = loadScenarios({ flags: { namespace: 'demo', ports: '53', interfaces } })[0]!;
  const launcher = LAUNCHERS[binding];
  let resolved;
  try {
    resolved = resolveAttachments(binding, launcher.links, launcher.defaultDevices, scenario.interfaces);
  } catch (e) {
    if (e instanceof DetectionError) return { refused: e.message };
    throw e;
  }
  const now = unixNow();
  const relay = binding === 'passt' || binding === 'slirp' ? { relay: { pids: [1], comm: binding, uid: RELAY_UID, sharingUid: [], foundBy: 'process' as const } } : {};
  const detection = { facts: { ...launcher, bridgeNfCall: { ipv4: true, ipv6: true } }, ...resolved, ...relay };
  const plan = planForScenario(binding, detection, scenario, { runId: 'plan', expiresAt: now + 180, vmi: 'plan/preview' });
  return {
    texts: [renderNft(plan, now).create, ...IP_FAMILIES.map((family) => createText(renderIptables(plan, family)))].map(timeless),
    attachments: resolved.selection.attachments.map((a) => [a.bridge, a.tap, a.podIface].filter(Boolean).join(' / ')).join(', '),
  };
}

describe('plan --interfaces, against inject', () => {
  const cases = (Object.keys(LAUNCHERS) as FilterableBinding[]).flatMap((binding) => SPELLINGS.map((spelling) => [binding, spelling] as const));

  it.each(cases)('should print for %s with interfaces %j exactly the rules inject installs, or refuse as inject does', (binding, spelling) => {
    const args = ['plan', '--binding', binding, '--namespace', 'demo', '--ports', '53', ...(spelling ? ['--interfaces', spelling] : [])];
    const r = cli(args);
    const expected = injectPlans(binding, spelling);
    if ('refused' in expected) {
      expect(r).toEqual({ code: 2, stdout: '', stderr: `error: interfaces: inject would refuse this on a ${binding} VMI: ${expected.refused}\n` });
      return;
    }
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n')[0]).toBe(`# ${binding}: ${expected.attachments}; ingress=true egress=true ports=53 protocols=tcp,udp`);
    const printed = timeless(r.stdout);
    for (const text of expected.texts) expect(printed).toContain(text);
  });

  it('should plan the pod interface for the tap krkn names (tap0), not a bridge named after the tap', () => {
    const r = cli(['plan', '--binding', 'masquerade', '--namespace', 'demo', '--interfaces', 'tap0', '--backend', 'nftables']);
    expect([r.code, r.stderr, r.stdout.split('\n')[0]]).toEqual([0, '', '# masquerade: k6t-eth0 / tap0 / eth0; ingress=true egress=true ports=all protocols=tcp,udp']);
    expect(r.stdout).not.toContain('k6t-tap0');
  });

  it('should refuse a tap of no VM interface with the interfaces plan assumes', () => {
    expect(cli(['plan', '--binding', 'bridge', '--namespace', 'demo', '--interfaces', 'tap1'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: interfaces: inject would refuse this on a bridge VMI: interfaces tap1 are not VM interfaces in this namespace; available: eth0-nic/k6t-eth0/tap0\n',
    });
  });
});
