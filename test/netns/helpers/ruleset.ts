/**
 * The netfilter state of a namespace for "equal to before inject": `nft list ruleset` with only
 * counters and set element lifetimes blanked. Every table and chain counts, the built-in chains
 * and `filter` tables iptables-nft creates for a jump included: rollback removes those it
 * created (issue 18).
 */
import { sh } from './topology.js';

/** `nft list ruleset` of the namespace at `path`, counters and timers blanked, comments dropped. */
export function rulesetSnapshot(path: string): string {
  return rawRuleset(path)
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n');
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
