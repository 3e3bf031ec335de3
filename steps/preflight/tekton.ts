/**
 * What select checks of the Tekton it runs under, before any fault (pure): a release older than
 * the oldest one the Pipelines are tested on (test/engines runs v1.3.1 and v1.15.1). (The
 * affinity assistant needs no check: the node pods are created by the fan-out, not by Tekton,
 * so no coschedule mode can tie them to another node.)
 */

import { isOlderThan } from './version.js';

/** The oldest Tekton Pipelines release the Pipelines are tested on. */
export const MIN_TEKTON_VERSION = '1.3.0';

/** Why `version` (Tekton's pipelines-info) cannot run our Pipelines, or undefined. */
export function tektonVersionProblem(version: string): string | undefined {
  if (!isOlderThan(version, MIN_TEKTON_VERSION)) return undefined;
  return (
    `Tekton Pipelines ${version} is older than ${MIN_TEKTON_VERSION}, the oldest release these Pipelines are tested on ` +
    '(the Pipeline says so in its tekton.dev/pipelines.minVersion annotation). Upgrade Tekton Pipelines'
  );
}
