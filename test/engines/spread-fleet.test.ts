/**
 * The spread fleet and its 10 ms samplers, checked on the real cluster without our product: a
 * fault window armed by hand (`nft` with `meta time` bounds in whole Unix seconds, as inject
 * renders it) in every VMI's launcher namespace on every node, seconds ahead, is measured by
 * `sampleFleet` on all twelve flows at once, 100 datagrams a second each. What the samplers see
 * must be the window itself, to within the 50 ms the synchronized-onset proof (issue 14) allows:
 * if they could not, a product run measured with them would prove nothing.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSpreadFleet, sampleFleet, spreadMismatches, SPREAD_PORT, type SpreadFleet } from './fixtures/spread-fleet.js';
import { judgeTimelines } from './fixtures/timeline.js';
import { engines, kubeAs } from './setup/context.js';

const kube = kubeAs();
let fleet: SpreadFleet;
/** The window's length (s). */
const DURATION = 3;
/** The bound on onset, end, blocked interval and skew. */
const TOLERANCE_MS = 50;
const TABLE = 'vnf-sync-selftest';

/** Runs `nft` in a launcher's namespace (UTC: what nft prints as dates must not follow our TZ). */
const nft = (netns: string, args: readonly string[], input?: string): string =>
  execFileSync('nsenter', [`--net=${netns}`, '--', 'nft', ...args], { input: input ?? '', encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });

/** Drops udp/53 in [start, end) (Unix s) in every hook a VMI's traffic crosses in its launcher: in (passt ingress), forward (masquerade), out (passt egress). */
const windowTable = (start: number, end: number): string => {
  const rule = `udp dport ${SPREAD_PORT} meta time >= ${start} meta time < ${end} counter drop`;
  const chain = (hook: string): string => `  chain ${hook} { type filter hook ${hook} priority 0; policy accept; ${rule}; }`;
  return [`table inet ${TABLE} {`, chain('input'), chain('forward'), chain('output'), '}', ''].join('\n');
};

beforeAll(async () => {
  fleet = await buildSpreadFleet(kube, engines().nodes);
});
afterAll(async () => fleet?.destroy());

describe('the spread fleet and its samplers', () => {
  it('should spread two VMIs of mixed bindings over every node, each with its egress and ingress flow passing', async () => {
    expect(engines().nodes.length).toBeGreaterThanOrEqual(3);
    expect(fleet.vmis.map((v) => `${v.namespace}/${v.name} ${v.binding} ${v.node} ${v.launcher.node}`)).toEqual(
      engines().nodes.flatMap((n) => [`sync/${n}-masquerade masquerade ${n} ${n}`, `sync/${n}-passt passt ${n} ${n}`]),
    );
    expect(fleet.flows).toHaveLength(fleet.vmis.length * 2);
    expect(await spreadMismatches(fleet)).toEqual([]);
  });

  it(`should measure a window armed by hand on every VMI at once: onsets within ${TOLERANCE_MS} ms of each other, each flow blocked for the window ± ${TOLERANCE_MS} ms`, async () => {
    const start = Math.ceil(Date.now() / 1000) + 3;
    const end = start + DURATION;
    try {
      for (const v of fleet.vmis) nft(v.launcher.netns, ['-f', '-'], windowTable(start, end));
      expect(Date.now(), 'armed before the window').toBeLessThan(start * 1000 - 1500);
      const timelines = await sampleFleet(fleet, start * 1000 - 1000, end * 1000 + 1000);
      const judged = judgeTimelines(timelines, start * 1000, end * 1000, TOLERANCE_MS);
      console.log(
        [
          `spread fleet, window ${DURATION} s from ${new Date(start * 1000).toISOString()}: onset skew ${judged.skewMs} ms over ${judged.flows.length} flows`,
          ...judged.flows.map((f) => `  ${f.id}: onset ${f.onsetMs} ms, end ${f.endMs} ms, blocked ${f.blockedMs} ms, resolution ${f.resolutionMs} ms (${f.samples} datagrams)`),
        ].join('\n'),
      );
      expect(judged.problems).toEqual([]);
      expect(judged.skewMs).toBeLessThanOrEqual(TOLERANCE_MS);
      // Every flow sampled on schedule: 100 a second from 1 s before the start to 1 s after the end.
      for (const f of judged.flows) expect(f.samples, f.id).toBe((DURATION + 2) * 100 + 1);
    } finally {
      for (const v of fleet.vmis) {
        try {
          nft(v.launcher.netns, ['delete', 'table', 'inet', TABLE]);
        } catch {
          // never created there (arming failed before it)
        }
      }
    }
    expect(await spreadMismatches(fleet)).toEqual([]);
  });
});
