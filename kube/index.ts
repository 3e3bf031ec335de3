/**
 * kube/: everything that talks to the Kubernetes API (selection, the run ledger, workflows and
 * their watch), used by the steps and by submit/watch alike. The whole public surface.
 *
 * For the verify step: `new KubeClient({ env: io.env, log })` then
 * `checkTargetInCluster(client, target)` → `{ ok, reason, message }`.
 */
export { KubeClient } from './client.js';
export type { ItemPick, KubeClientOptions, ListedConfigMap, ListOptions, ListOrigin, ListPage } from './client.js';
export { parseListAnswer } from './list-answer.js';
export type { ParsedList } from './list-answer.js';
export { loadKubeConfig, SERVICE_ACCOUNT_DIR } from './kube-config.js';
export type { KubeConfigOptions } from './kube-config.js';
export { isTlsErrorCode, KubeAccessError, KubeAnswerError, KubeApiError, KubeConfigError, KubeConnectionError, KubeNotFoundError } from './errors.js';
export { MAX_ANSWER_BYTES } from './answer.js';
export { checkTargets, checkVmiRecords, InvalidApiValuesError } from './target-check.js';
export type { ValueProblem } from './target-check.js';
export type { ServerStatus } from './errors.js';
export { CONFIG_MAP_RESOURCE, describeRequest, NAMESPACE_RESOURCE, PIPELINE_RUN_RESOURCE, POD_RESOURCE, VMI_RESOURCE } from './api-request.js';
export type { ApiRequest, ApiResource, ApiVerb } from './api-request.js';
export { DEFAULT_RETRY, backoffDelay, parseRetryAfter, retryDelay, isRetryableStatus } from './retry-policy.js';
export type { RetryOptions } from './retry-policy.js';
export { collectPages, MAX_LIST_PAGES, PAGE_SIZE } from './paginate.js';
export type { Collected } from './paginate.js';
export { bindingOf, isSupportedBinding } from './binding.js';
export type { BindingKind, InterfaceBinding, VmiBinding } from './binding.js';
export { toVmiRecord } from './vmi-record.js';
export type { MigrationInProgress, VmiRecord } from './vmi-record.js';
export { CREATED_BY_LABEL, LAUNCHER_SELECTOR, resolveLauncherPod, toLauncherPodRecord } from './launcher-pod.js';
export type { LauncherPodRecord, LauncherResolution } from './launcher-pod.js';
export { MAX_SEED, sampleUniform, seededRandom } from './sample.js';
export type { Sample } from './sample.js';
export { isExactNamespace, plainNamespaceOf } from './namespace-scope.js';
export { compareRefs, filterVmis, refOf, resolveTargets, selectAmongEligible, selectTargets } from './selection.js';
export type { Exclusion, ExclusionReason, Selection, SelectionCounts, SelectionCriteria, VmiRef, VmiStage } from './selection.js';
export { describeEmptySelection, NoTargetsError } from './no-targets.js';
export type { ListScope } from './no-targets.js';
export { selectVmis, TARGETED_MAX } from './select-vmis.js';
export type { ClusterSelection, SelectVmisOptions } from './select-vmis.js';
export { checkTargetInCluster, judgeTarget, NodeClusterView } from './cluster-check.js';
export type { ClusterCheckReason, ClusterCheckResult } from './cluster-check.js';
export { kubeConfigSource } from './config-source.js';
export { contextNamespace } from './context-namespace.js';
export type { FoundNamespace } from './context-namespace.js';
export { NoDateHeaderError, readServerDate } from './server-date.js';
export type { ServerDate, ServerDateOptions } from './server-date.js';
export { boundRecord, indexName, LEDGER_LABELS, LEDGER_OBJECT_BUDGET, ledgerObjects, ledgerOverflows, ledgerSelector, LedgerError, maxTargetsPerNode, nodeLedgerName, OWNER_KINDS, parseLedgerIndex, parseNodeLedger, RECORD_MAX_BYTES, recordKey, RECORDS } from './ledger.js';
export type { LedgerIndex, LedgerObject, LedgerOverflow, LedgerOwner, LedgerRecord, LedgerWindow, NodeLedger, OwnerKind, RecordName } from './ledger.js';
export { readLedgerIndex, readNodeLedger, readRunLedger, writeLedger, writeRecords } from './ledger-store.js';
export type { LedgerPlace, RunLedger } from './ledger-store.js';
