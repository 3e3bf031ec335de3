/**
 * The live terminal view of a run (pure): a header, one line per VMI with its stage and what is
 * happening (a progress bar over test_duration while the fault is held), and the exit handler.
 * Lines are cut to the terminal width; colour only marks the state icons and is left out for
 * NO_COLOR (https://no-color.org) or when not wanted.
 */
import { ruleCount } from './_node-read.js';
import { exitHandlerName, VMI_STEPS, type RunState, type StepPhase, type VmiState } from './run-state.js';
import { formatDuration, secondsBetween } from './run-report.js';

/** How to draw. */
export interface ViewOptions {
  /** The time the view shows (progress, elapsed). */
  readonly now: Date;
  /** Terminal columns. @default 80 */
  readonly width?: number;
  /** ANSI colours. @default false */
  readonly color?: boolean;
}

const STAGE_LABEL: Record<VmiState['stage'], string> = {
  selected: 'selected',
  injecting: 'injecting',
  injected: 'injected',
  holding: 'holding',
  verifying: 'verifying',
  verified: 'verified',
  'inject-failed': 'inject failed',
  'verify-failed': 'verify failed',
  'rolling-back': 'rolling back',
  'rolled-back': 'rolled back',
  'rollback-failed': 'rollback failed',
};

const GREEN = '\x1b[32m';
const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';
const RESET = '\x1b[0m';

/** The view of `state` as lines (no trailing newline), each at most `width` characters wide. */
export function renderView(state: RunState, options: ViewOptions): string[] {
  const width = Math.max(40, options.width ?? 80);
  const paint = (text: string, colour: string): string => (options.color ? `${colour}${text}${RESET}` : text);
  const now = options.now.toISOString();
  const elapsed = formatDuration(secondsBetween(state.startedAt, state.finishedAt ?? now));
  const lines: { text: string; icon?: { char: string; colour: string } }[] = [];
  const stop = state.stopping && !state.finished ? ` · stop requested: waiting for the ${exitHandlerName(state.kind)} to roll back` : '';
  lines.push({ text: `${state.kind} ${state.name} (${state.namespace}): ${state.phase || 'Pending'} · ${elapsed}${stop}` });
  for (const s of state.selections) {
    lines.push({ text: `scenario ${s.scenario}: select ${s.phase}${s.selected === undefined ? '' : `, ${s.selected} VMI${s.selected === 1 ? '' : 's'}`}${s.message && s.phase === 'failed' ? `: ${s.message}` : ''}` });
  }
  // The node is in the report; the live line keeps its width for the name and the progress.
  const nameWidth = Math.min(28, Math.max(0, ...state.vmis.map((v) => v.namespace.length + v.name.length + 1)));
  for (const v of state.vmis) {
    const head = `${fit(`${v.namespace}/${v.name}`, nameWidth)}  ${STAGE_LABEL[v.stage].padEnd(15)}`;
    const room = width - 4 - head.length - 1;
    lines.push({ text: `  ? ${head} ${detail(v, options.now, room)}`.trimEnd(), icon: iconOf(v) });
  }
  if (state.vmis.length === 0 && state.selections.length === 0) lines.push({ text: '  waiting for select' });
  const { phase, rollbacks, rollbacksDone } = state.exitHandler;
  lines.push({ text: `${exitHandlerName(state.kind)}: ${phase}${rollbacks > 0 ? ` (${rollbacksDone} of ${rollbacks} rollbacks done)` : ''}` });

  return lines.map(({ text, icon }) => {
    const cut = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    return icon ? `  ${paint(icon.char, icon.colour)}${cut.slice(3)}` : cut;
  });
}

function detail(v: VmiState, now: Date, room: number): string {
  const inject = v.steps.inject.result;
  const count = ruleCount(inject);
  const rules = count === undefined ? '' : `${count} rules (${typeof inject?.backend === 'string' ? inject.backend : '?'})`;
  switch (v.stage) {
    case 'selected':
      return 'waiting';
    case 'injecting':
      return 'inject running';
    case 'injected':
      return rules;
    case 'holding':
      return holdProgress(v, now, room);
    case 'verifying':
      return `${rules}, verify running`;
    case 'verified':
      return `${rules}, rules intact`;
    case 'rolling-back':
      return 'rollback running';
    case 'inject-failed':
    case 'verify-failed':
    case 'rollback-failed':
      return [...VMI_STEPS.map((s) => v.steps[s]), v.exitRollback].find((s) => s.phase === 'failed')?.message ?? '';
    case 'rolled-back': {
      const missed = VMI_STEPS.filter((s) => s !== 'rollback' && v.steps[s].phase !== 'succeeded').map((s) => `${s} ${mark(v.steps[s].phase)}`);
      return [...missed, 'rules removed'].join(', ');
    }
  }
}

/** `text` padded or cut (with …) to exactly `width` characters. */
function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

function holdProgress(v: VmiState, now: Date, room: number): string {
  const total = v.holdSeconds;
  const elapsed = secondsBetween(v.steps.hold.startedAt, now.toISOString()) ?? 0;
  if (total === undefined) return `${formatDuration(elapsed)} held`;
  const done = Math.min(elapsed, total);
  const label = ` ${done}/${total} s`;
  const barWidth = Math.max(10, Math.min(30, room - label.length - 2));
  const filled = Math.round((done / total) * barWidth);
  return `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]${label}`;
}

function mark(phase: StepPhase): string {
  return { pending: '·', running: '…', succeeded: '✓', failed: '✗', skipped: '-' }[phase];
}

function iconOf(v: VmiState): { char: string; colour: string } {
  if (v.stage.endsWith('failed')) return { char: '✗', colour: RED };
  if (v.stage === 'rolled-back') {
    const clean = VMI_STEPS.every((s) => v.steps[s].phase === 'succeeded');
    return clean ? { char: '✓', colour: GREEN } : { char: '!', colour: YELLOW };
  }
  if (v.stage === 'selected') return { char: '·', colour: '' };
  return { char: '◷', colour: YELLOW };
}
