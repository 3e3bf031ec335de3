/**
 * inject's clock check: the node's clock against the Kubernetes API server's `Date` header,
 * when an API is configured. Best-effort and bounded: at most `budgetMs` waiting for the API
 * (authentication and the request), never a failure of the step; whatever kept it from
 * comparing is logged at debug level. Loading the client library first is local work
 * (≈ 0.8 s of CPU, only where an API is configured) outside the budget: counted in, it made the
 * check give up on a loaded 2-core machine before it had asked anything.
 */
import { measureSkew, type ClockSkew } from '../clock-skew.js';
import { kubeConfigSource } from '../../kube/config-source.js';
import type { StepLogger } from '../../core/log.js';

/** How long the check waits for the API server (authentication and the request). */
export const CLOCK_CHECK_BUDGET_MS = 2000;

/** Where the API configuration comes from, where to log, how long to try. */
export interface NodeClockOptions {
  /** The step's environment (KUBECONFIG, KUBERNETES_SERVICE_HOST, …). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: StepLogger['log'];
  /** @default CLOCK_CHECK_BUDGET_MS */
  readonly budgetMs?: number;
  /** @default SERVICE_ACCOUNT_DIR */
  readonly serviceAccountDir?: string;
  /** Home directory for ~/.kube/config. @default os.homedir() */
  readonly home?: string;
  /** `--kubeconfig` of the step. @default the search */
  readonly kubeconfig?: string;
  /** `--context` of the step. @default the current-context */
  readonly context?: string;
}

const NOT_COMPARED = "the node's clock was not compared with the Kubernetes API server's";

/**
 * The node's clock skew against the API server, or undefined when it could not be measured
 * (no API configured, no answer within the budget, no Date header): never throws.
 */
export async function measureNodeClock(options: NodeClockOptions): Promise<ClockSkew | undefined> {
  const { env, log } = options;
  const budgetMs = options.budgetMs ?? CLOCK_CHECK_BUDGET_MS;
  const choice = { ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }), ...(options.context === undefined ? {} : { context: options.context }) };
  const source = kubeConfigSource({ env, ...choice, ...(options.serviceAccountDir ? { serviceAccountDir: options.serviceAccountDir } : {}), ...(options.home ? { home: options.home } : {}) });
  if (source === undefined) {
    log('debug', `${NOT_COMPARED}: no API configured (no KUBECONFIG, no service account token, no ~/.kube/config)`);
    return undefined;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    // Loaded only now: the client library costs ≈ 0.8 s, paid only where an API is configured.
    const { readServerDate } = await import('../../kube/index.js');
    const outOfTime = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), budgetMs);
    });
    log('debug', `asking the Kubernetes API server for its clock (${source}), for at most ${budgetMs} ms`);
    // The request's own limit is a little past the budget: the budget decides, one message for one cause.
    const asked = readServerDate({ env, ...choice, timeoutMs: budgetMs + 100, ...(options.serviceAccountDir ? { serviceAccountDir: options.serviceAccountDir } : {}) });
    // A late answer after the budget is ignored, and its failure with it.
    asked.catch(() => undefined);
    const answer = await Promise.race([asked, outOfTime]);
    if (answer === 'timeout') {
      log('debug', `${NOT_COMPARED}: no answer within ${budgetMs} ms (${source})`);
      return undefined;
    }
    const skew = measureSkew(answer);
    if (skew === undefined) log('debug', `${NOT_COMPARED}: unreadable Date header "${answer.date}" from ${answer.server}`);
    return skew;
  } catch (e) {
    log('debug', `${NOT_COMPARED}: ${(e as Error).message} (${source})`);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
