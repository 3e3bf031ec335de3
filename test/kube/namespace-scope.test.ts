import { describe, expect, it } from 'vitest';
import { isExactNamespace, plainNamespaceOf } from '../../kube/index.js';

describe('plain namespace names', () => {
  it('should read a plain, optionally anchored name as that namespace', () => {
    expect(['prod', '^prod', 'prod$', '^prod$', 'team-a-1', 'prod\\Z'].map(plainNamespaceOf)).toEqual(['prod', 'prod', 'prod', 'prod', 'team-a-1', 'prod']);
  });

  it('should not read a real pattern as a namespace', () => {
    expect(['prod-.*', '(a|b)', 'prod.', 'Prod', 'a[0-9]', '', '.*', '-prod', `${'a'.repeat(64)}`].map(plainNamespaceOf)).toEqual(Array(9).fill(undefined));
  });

  it('should tell an exact name from a prefix', () => {
    expect(['prod$', '^prod$', 'prod\\Z', 'prod', '^prod', 'prod-.*$'].map(isExactNamespace)).toEqual([true, true, true, false, false, false]);
  });
});
