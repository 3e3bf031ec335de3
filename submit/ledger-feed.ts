/**
 * Keeps what the watcher knows of the run ledger fresh: a read after every change of the
 * workflow (reads asked for while one runs are coalesced into one more, and reads are spaced by
 * at least four times the last one's duration, so a large ledger is not read back to back) and
 * one every few seconds (records are written while the workflow may not change). Each read is
 * followed by `onRead`, which redraws the run.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Smallest spacing of two reads. */
const MIN_SPACING_MS = 100;

export class LedgerFeed {
  private inFlight: Promise<void> | undefined;
  private again = false;
  private lastEnd = 0;
  private spacingMs = MIN_SPACING_MS;
  private readonly ticker: NodeJS.Timeout;

  constructor(
    private readonly read: () => Promise<void>,
    private readonly onRead: () => void,
    everyMs = 2000,
  ) {
    this.ticker = setInterval(() => this.refresh(), everyMs);
  }

  /** Asks for a read (now, or after the one in flight and the spacing). */
  refresh(): void {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = this.readOnce().then(() => {
      this.inFlight = undefined;
      if (this.again) {
        this.again = false;
        this.refresh();
      }
    });
  }

  /** Stops the periodic reads, waits for the one in flight, then reads once more. */
  async settle(): Promise<void> {
    clearInterval(this.ticker);
    while (this.inFlight) await this.inFlight;
    await this.readOnce();
  }

  /** Stops the periodic reads (a read in flight still ends). */
  stop(): void {
    clearInterval(this.ticker);
  }

  private async readOnce(): Promise<void> {
    const wait = this.lastEnd + this.spacingMs - Date.now();
    if (wait > 0) await sleep(wait);
    const started = Date.now();
    await this.read();
    this.lastEnd = Date.now();
    this.spacingMs = Math.max(MIN_SPACING_MS, 4 * (this.lastEnd - started));
    this.onRead();
  }
}
