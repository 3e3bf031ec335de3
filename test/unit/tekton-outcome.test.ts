import { describe, expect, it } from 'vitest';
import { tektonOutcome } from '../../steps/tekton-outcome.js';

describe("the Tekton report's verdict", () => {
  it('should take Succeeded and Failed as Tekton says them, without reading the run', () => {
    expect(tektonOutcome('Succeeded', undefined)).toEqual({ status: 'Succeeded' });
    expect(tektonOutcome('Failed', undefined)).toEqual({ status: 'Failed' });
  });

  it('should call Completed a success when only when-expressions and their consequences skipped tasks', () => {
    const skipped = [
      { name: 'inject', reason: 'When Expressions evaluated to false' },
      { name: 'hold-r4', reason: 'When Expressions evaluated to false' },
      { name: 'verify', reason: 'Parent Tasks were skipped' },
    ];
    expect(tektonOutcome('Completed', skipped)).toEqual({ status: 'Succeeded' });
  });

  it('should not call Completed a success when a stop or a timeout skipped what was left', () => {
    expect(tektonOutcome('Completed', [{ name: 'inject', reason: 'When Expressions evaluated to false' }, { name: 'verify', reason: 'PipelineRun was gracefully stopped' }, { name: 'restore', reason: 'PipelineRun was gracefully stopped' }])).toEqual({
      status: 'Stopped',
      detail: 'verify, restore never ran: PipelineRun was gracefully stopped',
    });
    expect(tektonOutcome('Completed', [{ name: 'hold-r2', reason: 'PipelineRun Tasks timeout has been reached' }]).status).toBe('Stopped');
  });

  it('should say Unknown, with the reason, when the run could not be read', () => {
    expect(tektonOutcome('Completed', undefined, 'RBAC does not allow get pipelineruns.tekton.dev')).toEqual({
      status: 'Unknown',
      detail: 'every task that ran succeeded, but the skipped ones are unknown: RBAC does not allow get pipelineruns.tekton.dev',
    });
    expect(tektonOutcome('None', [])).toEqual({ status: 'None', detail: 'tasks status "None"' });
  });
});
