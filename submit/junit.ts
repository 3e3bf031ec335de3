/**
 * The report as JUnit XML (pure) for CI systems: one test suite per run, one test case per
 * VMI × phase (inject, hold, verify, rollback). A phase that never ran is `skipped`, a failed
 * one a `failure` with the step's message; the rollback case passes only when the rollback is
 * confirmed (by the VMI's own step or the exit handler). A run that selected nothing gets one
 * failing `select` case, so an empty report can never read as green.
 */
import { VMI_STEPS } from './run-state.js';
import { describeBlocked, describeFailure, type RunReport, type VmiReport } from './run-report.js';

interface TestCase {
  readonly classname: string;
  readonly name: string;
  readonly seconds: number | null;
  readonly outcome: { readonly kind: 'passed' } | { readonly kind: 'skipped'; readonly message: string } | { readonly kind: 'failure'; readonly message: string };
  readonly output?: string;
}

/** The JUnit XML document of `report`. */
export function junitXml(report: RunReport): string {
  const cases = report.vmis.length > 0 ? report.vmis.flatMap(vmiCases) : [selectCase(report)];
  const failures = cases.filter((c) => c.outcome.kind === 'failure').length;
  const skipped = cases.filter((c) => c.outcome.kind === 'skipped').length;
  const time = seconds(report.seconds);
  const suite = attributes({ name: `vmi-network-filter ${report.namespace}/${report.workflow}`, tests: cases.length, failures, errors: 0, skipped, time, timestamp: report.startedAt ?? '' });
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${attributes({ name: 'vmi-network-filter', tests: cases.length, failures, errors: 0, skipped, time })}>`,
    `  <testsuite ${suite}>`,
    `    <properties>`,
    `      <property ${attributes({ name: 'workflow.phase', value: report.phase })}/>`,
    `      <property ${attributes({ name: 'verdict', value: report.ok ? 'pass' : report.failure ? `fail: ${describeFailure(report.failure)}` : 'fail' })}/>`,
    `    </properties>`,
    ...cases.map(testCase),
    '  </testsuite>',
    '</testsuites>',
  ];
  return `${lines.join('\n')}\n`;
}

function vmiCases(v: VmiReport): TestCase[] {
  const classname = `scenario-${v.scenario}.${v.namespace}/${v.name}`;
  return VMI_STEPS.map((step): TestCase => {
    const s = v.steps[step];
    const base = { classname, name: step, seconds: s.seconds };
    if (step === 'rollback') {
      const rollbackSeconds = s.seconds ?? v.steps.exitRollback.seconds;
      if (v.rollback.confirmed) return { ...base, seconds: rollbackSeconds, outcome: { kind: 'passed' }, output: `confirmed by ${v.rollback.by.join(' and ')}` };
      return { ...base, seconds: rollbackSeconds, outcome: { kind: 'failure', message: `rollback not confirmed${v.rollback.message ? `: ${v.rollback.message}` : ''}` } };
    }
    if (s.phase === 'failed') return { ...base, outcome: { kind: 'failure', message: s.message ?? `${step} failed` } };
    if (s.phase === 'succeeded') return { ...base, outcome: { kind: 'passed' }, ...(step === 'inject' ? { output: describeBlocked(v.blocked) } : {}) };
    return { ...base, outcome: { kind: 'skipped', message: s.phase === 'running' ? `${step} still running when the report was written` : `${step} did not run` } };
  });
}

function selectCase(report: RunReport): TestCase {
  const message = report.failure ? describeFailure(report.failure) : 'no VMI was selected';
  return { classname: 'workflow', name: 'select', seconds: report.seconds, outcome: { kind: 'failure', message } };
}

function testCase(c: TestCase): string {
  const open = `    <testcase ${attributes({ classname: c.classname, name: c.name, time: seconds(c.seconds) })}`;
  const body: string[] = [];
  if (c.outcome.kind === 'failure') body.push(`      <failure ${attributes({ message: c.outcome.message, type: 'StepFailed' })}>${escape(c.outcome.message)}</failure>`);
  if (c.outcome.kind === 'skipped') body.push(`      <skipped ${attributes({ message: c.outcome.message })}/>`);
  if (c.output) body.push(`      <system-out>${escape(c.output)}</system-out>`);
  return body.length === 0 ? `${open}/>` : [`${open}>`, ...body, '    </testcase>'].join('\n');
}

function seconds(value: number | null): string {
  return String(value ?? 0);
}

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}="${escape(String(v))}"`)
    .join(' ');
}

/** XML text and attribute escaping; characters XML 1.0 cannot carry at all are dropped. */
export function escape(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
