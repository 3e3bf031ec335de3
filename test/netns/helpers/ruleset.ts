/**
 * The netfilter state of a namespace, normalized for "equal to before inject": counters and set
 * element lifetimes dropped, and the empty built-in chains (and then empty tables) iptables-nft
 * creates on first use removed — the issue allows those to remain.
 */
import { sh } from './topology.js';

const IPTABLES_BUILTINS = /^\tchain (INPUT|FORWARD|OUTPUT|PREROUTING|POSTROUTING) \{$/;

/** `nft list ruleset` of the namespace at `path`, normalized. */
export function rulesetSnapshot(path: string): string {
  const text = sh(['nsenter', `--net=${path}`, '--', 'nft', 'list', 'ruleset']);
  const lines = text
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .map((l) => l.replace(/ counter packets \d+ bytes \d+/, ' counter').replace(/ expires \S+/g, ''));
  // Drop built-in chains that hold nothing but their declaration, in iptables-nft's tables.
  const out: string[] = [];
  let table = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('table ')) table = line;
    const iptablesTable = /^table (ip|ip6) filter \{$/.test(table);
    if (iptablesTable && IPTABLES_BUILTINS.test(line) && /^\t\ttype filter hook \w+ priority filter; policy accept;$/.test(lines[i + 1] ?? '') && lines[i + 2] === '\t}') {
      i += 2;
      if (lines[i + 1] === '') i += 1;
      continue;
    }
    out.push(line);
  }
  // Then tables left empty by that.
  return out
    .join('\n')
    .replace(/^table (ip|ip6) filter \{\n\}\n?/gm, '')
    .replace(/\n{2,}/g, '\n')
    .trim();
}

/**
 * `nft list ruleset` of the namespace at `path` with only counters and set timers blanked:
 * every table and chain counts, the empty built-in chains iptables-nft creates included.
 */
export function rawRuleset(path: string): string {
  return sh(['nsenter', `--net=${path}`, '--', 'nft', 'list', 'ruleset'])
    .replace(/ counter packets \d+ bytes \d+/g, ' counter')
    .replace(/ expires \S+/g, '');
}
