import { describe, expect, it } from 'vitest';
import { loadScenarios } from '../../scenario/index.js';
import { problems } from './scenario-problems.js';

/** The formatted problem lines of a rejected input (without the count line). */

const NFT = "the kernel ends the rules by an nftables set timeout, and nft 1.0.6 (the step image's) refuses one of 100000 s or more";

describe('the bound on test_duration + expiry_grace', () => {
  it('should accept a deadline of 99999 s after inject', () => {
    expect(loadScenarios({ flags: { namespace: 'ns', test_duration: '99939' } })[0]!.test_duration).toBe(99_939);
    expect(loadScenarios({ flags: { namespace: 'ns', test_duration: '1', expiry_grace: '99998' } })[0]!.expiry_grace).toBe(99_998);
  });

  it('should refuse one of 100000 s, naming the backend and the longest test_duration that fits', () => {
    expect(problems({ flags: { namespace: 'ns', test_duration: '99940' } })).toEqual([
      `flag --chaos-duration: test_duration: test_duration + expiry_grace must stay below 100000 s, not 99940 + 60 = 100000 s: ${NFT}; with this expiry_grace, test_duration may be at most 99939`,
    ]);
  });

  it('should point at the file line of test_duration', () => {
    const text = '- id: vmi_network_filter\n  namespace: ns\n  expiry_grace: 600\n  test_duration: 100000\n';
    expect(problems({ file: { path: 's.yaml', text } })).toEqual([
      `s.yaml:4: scenario[0].test_duration: test_duration + expiry_grace must stay below 100000 s, not 100000 + 600 = 100600 s: ${NFT}; with this expiry_grace, test_duration may be at most 99399`,
    ]);
  });

  it('should say to lower expiry_grace when it alone is too long', () => {
    expect(problems({ flags: { namespace: 'ns', expiry_grace: '100000' } })).toEqual([
      `flag --expiry-grace: test_duration: test_duration + expiry_grace must stay below 100000 s, not 120 + 100000 = 100120 s: ${NFT}; lower expiry_grace`,
    ]);
  });

  it('should count the arm budget with onset synchronized, the automatic one at its most', () => {
    const synchronized = { namespace: 'ns', execution: 'parallel', onset: 'synchronized' } as const;
    expect(loadScenarios({ flags: { ...synchronized, test_duration: '99639' } })[0]!.test_duration).toBe(99_639);
    expect(problems({ flags: { ...synchronized, test_duration: '99640' } })).toEqual([
      `flag --chaos-duration: test_duration: test_duration + expiry_grace + the arm budget must stay below 100000 s with onset synchronized (the timeout also spans the wait from inject to the start), not 99640 + 60 + 300 = 100000 s (arm_budget 0 (automatic, up to 300)): ${NFT}; with these, test_duration may be at most 99639`,
    ]);
    expect(loadScenarios({ flags: { ...synchronized, test_duration: '99879', arm_budget: '60' } })[0]!.test_duration).toBe(99_879);
    expect(problems({ flags: { ...synchronized, test_duration: '99880', arm_budget: '60' } })).toEqual([
      `flag --chaos-duration: test_duration: test_duration + expiry_grace + the arm budget must stay below 100000 s with onset synchronized (the timeout also spans the wait from inject to the start), not 99880 + 60 + 60 = 100000 s (arm_budget 60): ${NFT}; with these, test_duration may be at most 99879`,
    ]);
  });
});
