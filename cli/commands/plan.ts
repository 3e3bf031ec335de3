/**
 * `vmi-network-filter plan`: print the rules a scenario would apply for a binding, per backend,
 * touching nothing. KubeVirt's names are assumed for the interfaces (k6t-<iface>, tap0, …, the
 * bridge binding's <iface>-nic); on a node, inject detects the real ones.
 */
import { Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { Io } from '../../core/io.js';
import { addScenarioOptions, scenariosFromOptions } from './scenario-options.js';
import { BINDINGS, type Binding } from '../../kube/target.js';
import {
  createText,
  expiryFor,
  filterableBinding,
  IP_FAMILIES,
  planRules,
  renderIptables,
  renderNft,
  runIdProblem,
  unixNow,
  type Attachment,
  type FilterableBinding,
} from '../../steps/netfilter/index.js';

/** KubeVirt's names for the VM interfaces behind pod interfaces `names` (eth0 by default). */
export function assumedAttachments(binding: FilterableBinding, names: readonly string[]): Attachment[] {
  return (names.length > 0 ? names : ['eth0']).map((name, i) => {
    if (binding === 'passt' || binding === 'slirp') return { podIface: name };
    const base = name.replace(/-nic$/, '');
    return { podIface: binding === 'bridge' ? `${base}-nic` : base, bridge: `k6t-${base}`, tap: `tap${i}` };
  });
}

/** The `plan` command. Exit 0, or 2 for bad input (scenario, binding, flags). */
export function planCommand(io: Io): Command {
  return addScenarioOptions(
    new Command('plan')
      .description('print the rules a scenario would apply for a binding, per backend, without touching anything')
      .addOption(new Option('--binding <binding>', 'the VMI interface binding').choices(BINDINGS).makeOptionMandatory())
      .addOption(new Option('--backend <backend>', 'which backend to print; auto prints both').choices(['auto', 'iptables', 'nftables']).default('auto'))
      .option('--run-id <id>', 'run id the names are derived from', 'plan')
      .option('--relay-uid <uid>', 'passt/slirp: uid of the relay process (KubeVirt runs it as qemu, 107)', '107'),
  ).action((options: Record<string, unknown>) => {
    const binding = filterableBinding(options.binding as Binding);
    const runId = String(options.runId);
    const problem = runIdProblem(runId);
    if (problem) throw new UsageError(`--run-id: ${problem}`);
    const relayUid = Number(options.relayUid);
    if (!/^[0-9]+$/.test(String(options.relayUid))) throw new UsageError(`--relay-uid must be a uid, not "${String(options.relayUid)}"`);
    const backend = String(options.backend);
    const now = unixNow();
    const out: string[] = [];
    for (const scenario of scenariosFromOptions(options, io)) {
      const attachments = assumedAttachments(binding, scenario.interfaces);
      const plan = planRules({
        binding,
        attachments,
        relayUid,
        ingress: scenario.ingress,
        egress: scenario.egress,
        ports: scenario.ports,
        protocols: scenario.protocols,
        tag: { runId, expiresAt: expiryFor(now, scenario.test_duration, scenario.expiry_grace), vmi: 'plan/preview' },
      });
      out.push(`# ${binding}: ${attachments.map((a) => [a.bridge, a.tap, a.podIface].filter(Boolean).join(' / ')).join(', ')}; ingress=${scenario.ingress} egress=${scenario.egress} ports=${scenario.ports.join(',') || 'all'} protocols=${scenario.protocols.join(',')}`);
      if (backend !== 'iptables') out.push('# nftables: nft -f -', renderNft(plan, now).create);
      if (backend !== 'nftables') {
        for (const family of IP_FAMILIES) {
          out.push(`# iptables (${family}): ${family === 'ipv4' ? 'iptables' : 'ip6tables'}-restore --noflush${binding === 'bridge' ? ' (sees bridged frames only with bridge-nf-call-iptables=1)' : ''}`, createText(renderIptables(plan, family)));
        }
      }
    }
    io.out(out.join('\n'));
  });
}
