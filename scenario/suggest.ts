import { distance } from 'fastest-levenshtein';
import { SCENARIO_KEYS } from './keys.js';

const FILE_KEYS: readonly string[] = ['id', ...SCENARIO_KEYS.map((k) => k.key)];

/**
 * The file key a mistyped one most likely meant: the same key in another spelling (flag
 * `chaos-duration`, env `TOTAL_CHAOS_DURATION`), or the nearest key by edit distance.
 */
export function suggestKey(unknown: string): string | undefined {
  const folded = unknown.toLowerCase().replace(/-/g, '_');
  const spelled = SCENARIO_KEYS.find(
    (k) => k.flag.replace(/-/g, '_') === folded || k.env.toLowerCase() === folded,
  );
  if (spelled) return spelled.key;
  let best: { key: string; d: number } | undefined;
  for (const key of FILE_KEYS) {
    const d = distance(folded, key);
    if (!best || d < best.d) best = { key, d };
  }
  return best && best.d <= Math.max(2, Math.floor(unknown.length / 3)) ? best.key : undefined;
}
