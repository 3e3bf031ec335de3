/**
 * `vmi-network-filter plan`: print the rules a scenario would apply for a binding, per backend,
 * touching nothing. The launcher namespace is assumed with KubeVirt's names (eth0, k6t-eth0,
 * tap0, the bridge binding's eth0-nic; one more VM interface per other name the scenario gives),
 * and the scenario's `interfaces` are resolved in it by the function inject uses on a node, so
 * `tap0` plans eth0's rules, as inject filters them.
 */
import { Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { Io } from '../../core/io.js';
import { addScenarioOptions, scenariosFromOptions } from './scenario-options.js';
import { BINDINGS, type Binding } from '../../kube/target.js';
import {
  assumedLauncherFacts,
  createText,
  DetectionError,
  expiryFor,
  filterableBinding,
  IP_FAMILIES,
  planRules,
  renderIptables,
  renderNft,
  resolveAttachments,
  runIdProblem,
  unixNow,
  type Attachment,
  type FilterableBinding,
} from '../../steps/netfilter/index.js';

/**
 * The attachments inject would filter for `names` on a VMI with KubeVirt's interface names.
 * @throws UsageError with inject's own message when it would refuse the names.
 */
export function plannedAttachments(binding: FilterableBinding, names: readonly string[]): readonly Attachment[] {
  const facts = assumedLauncherFacts(binding, names);
  try {
    return resolveAttachments(binding, facts.links, facts.defaultDevices, names).selection.attachments;
  } catch (e) {
    if (e instanceof DetectionError) throw new UsageError(`interfaces: inject would refuse this on a ${binding} VMI: ${e.message}`, { cause: e });
    throw e;
  }
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
      const attachments = plannedAttachments(binding, scenario.interfaces);
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
