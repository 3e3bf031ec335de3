/**
 * Where the live run goes: on a terminal the view is redrawn in place (the previous frame is
 * erased with ANSI cursor-up + clear-to-end, so nothing scrolls); elsewhere (CI) one JSON line
 * per state change, never the whole state again.
 */
import type { Io } from '../core/io.js';
import type { RunState } from './run-state.js';
import { stateChanges } from './state-changes.js';
import { renderView } from './tty-view.js';

/** How the run is shown. */
export type ViewMode = 'tty' | 'json';

/** Options of RunDisplay. */
export interface RunDisplayOptions {
  readonly mode: ViewMode;
  /** Terminal columns (tty). @default 80 */
  readonly width?: number;
  /** ANSI colours (tty). @default false */
  readonly color?: boolean;
  /** The clock. @default () => new Date() */
  readonly now?: () => Date;
}

/** Shows successive run states through `io.out`. */
export class RunDisplay {
  private previous: RunState | undefined;
  private drawnLines = 0;
  private readonly now: () => Date;

  constructor(
    private readonly io: Io,
    private readonly options: RunDisplayOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** Shows `state`: redraws the view, or prints the events since the last state. */
  show(state: RunState): void {
    if (this.options.mode === 'json') {
      const time = this.now().toISOString();
      for (const event of stateChanges(this.previous, state)) this.io.out(`${JSON.stringify({ time, ...event })}\n`);
    } else {
      this.draw(state);
    }
    this.previous = state;
  }

  /** Redraws the last state (the hold's progress moves with the clock); nothing in json mode. */
  tick(): void {
    if (this.options.mode === 'tty' && this.previous && this.previous.vmis.some((v) => v.stage === 'holding')) this.draw(this.previous);
  }

  /** Prints a line below the view (tty) or as a JSON event (json). */
  note(message: string, fields: Record<string, unknown> = {}): void {
    if (this.options.mode === 'json') this.io.out(`${JSON.stringify({ time: this.now().toISOString(), event: 'note', message, ...fields })}\n`);
    else {
      this.io.out(`${message}\n`);
      // The note stays; the next frame is drawn below it.
      this.drawnLines = 0;
    }
  }

  private draw(state: RunState): void {
    const lines = renderView(state, { now: this.now(), width: this.options.width ?? 80, color: this.options.color ?? false });
    const erase = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A\r\x1b[J` : '';
    this.io.out(`${erase}${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }
}
