/**
 * verify's onset check (issue 14): with a synchronized onset every VMI's rules must have been in
 * the kernel by the window's start. A node that armed later started its VMIs' fault late, by
 * the time inject recorded; past {@link ONSET_TOLERANCE_MS} that VMI did not start with the
 * others, and verify fails (so does the run). Decided from the VMI's inject record in the run
 * ledger: nothing to check for an immediate onset, or a VMI verified on its own (--target).
 */
import { ONSET_TOLERANCE_MS } from '../onset.js';
import { isoSeconds } from '../netfilter/index.js';
import type { CheckResult, VerifyCheck } from './verify.js';

const NAME = 'onset';

/** A VMI with no window in its inject record passes, saying why nothing was decided. */
export const onsetCheck: VerifyCheck = async ({ earlier }): Promise<CheckResult> => {
  const data = earlier.inject?.data;
  const start = data?.windowStart;
  const late = data?.lateMs;
  const armedAt = data?.armedAtMs;
  if (typeof start !== 'number' || typeof late !== 'number' || typeof armedAt !== 'number') {
    return { name: NAME, ok: true, detail: 'no synchronized start recorded (immediate onset, or no inject record)', data: { decided: false } };
  }
  const facts = { decided: true, windowStart: start, armedAtMs: armedAt, lateMs: late, toleranceMs: ONSET_TOLERANCE_MS };
  if (late === 0) return { name: NAME, ok: true, detail: `armed ${start * 1000 - armedAt} ms before the synchronized start ${isoSeconds(start)}: the fault started with the others`, data: facts };
  const ok = late <= ONSET_TOLERANCE_MS;
  const detail = `armed ${late} ms after the synchronized start ${isoSeconds(start)}: this VMI's fault started late${ok ? `, within the ${ONSET_TOLERANCE_MS} ms tolerance` : `, over the ${ONSET_TOLERANCE_MS} ms tolerance (raise arm_budget)`}`;
  return { name: NAME, ok, detail, data: facts };
};
