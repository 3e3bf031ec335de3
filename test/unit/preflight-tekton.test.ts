import { describe, expect, it } from 'vitest';
import { tektonVersionProblem } from '../../steps/preflight/tekton.js';
import { isOlderThan, parseVersion } from '../../steps/preflight/version.js';

describe("select's checks of the Tekton it runs under", () => {
  it('should refuse Tekton before 1.3 (the oldest release tested), accept 1.3 and later, and pass an unknown version', () => {
    expect(tektonVersionProblem('v1.2.9')).toMatch(/^Tekton Pipelines v1\.2\.9 is older than 1\.3\.0, the oldest release these Pipelines are tested on .*Upgrade/);
    expect(tektonVersionProblem('v0.68.0')).toMatch(/older than 1\.3\.0/);
    for (const ok of ['v1.3.0', 'v1.3.1', 'v1.15.1', '2.0.0', 'devel', '']) expect(tektonVersionProblem(ok)).toBeUndefined();
    expect(parseVersion('v1.15.1')).toEqual([1, 15, 1]);
    expect([isOlderThan('v1.2.9', '1.3.0'), isOlderThan('v1.3.0', '1.3.0'), isOlderThan('1.10.0', '1.3.0'), isOlderThan('latest', '1.3.0')]).toEqual([true, false, false, false]);
  });
});
