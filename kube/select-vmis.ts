/**
 * Selection against the cluster. Requests, whatever the number of namespaces or instance_count:
 *   1. the VMIs: ⌈VMIs/page⌉ requests, cluster-wide (+1 when that is forbidden and the namespace
 *      regex is a plain name: then that namespace only);
 *   2. the sample is drawn among the candidates first; when it holds at most TARGETED_MAX VMIs,
 *      their launcher pods are read with one label-selected request
 *      (`kubevirt.io/created-by in (…uids)`), not every launcher pod of the cluster;
 *   3. only when the sample is larger, or a chosen VMI has no usable launcher pod, every launcher
 *      pod of the candidates' namespaces is read (⌈pods/page⌉) and the sample is drawn again
 *      among the eligible VMIs. Rejecting and redrawing keeps the sample uniform over eligible VMIs.
 * Total at most 2 + ⌈(VMIs + pods)/page⌉ (step 2 is skipped after a forbidden cluster-wide list);
 * retries and a list restarted after an expired continue token come on top.
 */
import type { StepLogger } from '../core/log.js';
import { describeRequest, VMI_RESOURCE } from './api-request.js';
import type { KubeClient } from './client.js';
import { KubeAccessError } from './errors.js';
import { CREATED_BY_LABEL, LAUNCHER_SELECTOR, toLauncherPodRecord, type LauncherPodRecord } from './launcher-pod.js';
import { isExactNamespace, plainNamespaceOf } from './namespace-scope.js';
import type { ListScope } from './no-targets.js';
import { collectPages, PAGE_SIZE, type Collected } from './paginate.js';
import { sampleUniform, seededRandom } from './sample.js';
import { checkTargets, checkVmiRecords } from './target-check.js';
import { filterVmis, refOf, resolveTargets, selectAmongEligible, type Selection, type SelectionCriteria, type VmiStage } from './selection.js';
import { toVmiRecord, type VmiRecord } from './vmi-record.js';

/** Most chosen VMIs whose launcher pods are read by UID (the selector must stay a short URL). */
export const TARGETED_MAX = 50;

/** What to select and how. */
export interface SelectVmisOptions {
  readonly criteria: SelectionCriteria;
  /** Seed of the instance_count sample. */
  readonly seed: number;
  readonly log: StepLogger['log'];
  /** Items per list request. @default PAGE_SIZE (500) */
  readonly pageSize?: number;
}

/** A selection and where it looked. */
export interface ClusterSelection extends Selection {
  readonly scope: ListScope;
  /** Whose launcher pods were read: nobody's (no candidate), the chosen VMIs', or all candidates'. */
  readonly launchersRead: 'none' | 'chosen' | 'all';
  /** Notes on chosen targets, e.g. secondary interfaces whose traffic is not filtered. */
  readonly notes: readonly { readonly namespace: string; readonly name: string; readonly note: string }[];
}

/**
 * Lists the cluster and selects the scenario's targets. Every value of every target is checked
 * before it is returned (the caller writes them).
 * @throws KubeAccessError, KubeApiError, KubeConnectionError, KubeAnswerError from the API;
 *   InvalidApiValuesError when a selected VMI or its launcher pod carries a value no API server
 *   accepts.
 */
export async function selectVmis(client: KubeClient, options: SelectVmisOptions): Promise<ClusterSelection> {
  const { criteria, log } = options;
  const limit = options.pageSize ?? PAGE_SIZE;
  const { vmis, scope } = await listVmis(client, criteria, limit, log);
  const where = scope.namespace === undefined ? 'at cluster scope' : `in namespace "${scope.namespace}"`;
  log('info', `listed ${vmis.listed} VMIs ${where} in ${vmis.pages} page(s)`, { labelSelector: criteria.labelSelector, listed: vmis.listed, pages: vmis.pages });

  const stage = filterVmis(vmis.items, criteria);
  const random = seededRandom(options.seed);
  const done = (selection: Selection, launchersRead: ClusterSelection['launchersRead']): ClusterSelection => {
    checkTargets(selection.targets);
    return { ...selection, scope, launchersRead, notes: secondaryNotes(selection, stage.candidates) };
  };
  if (stage.candidates.length === 0) {
    return done({ targets: [], notChosen: [], exclusions: stage.exclusions, counts: stage.counts }, 'none');
  }

  const first = sampleUniform(stage.candidates, criteria.instanceCount, random);
  // After a forbidden cluster-wide list, a miss here would be a third extra request: go straight
  // to the full list, which the bound below then covers.
  if (!scope.fallback && first.chosen.length <= TARGETED_MAX) {
    // Their UIDs go into the label selector of the next request.
    checkVmiRecords(first.chosen);
    const pods = await listLaunchers(client, first.chosen, true, limit, log);
    const { targets, exclusions } = resolveTargets(first.chosen, pods, criteria);
    if (exclusions.length === 0) {
      const counts = { ...stage.counts, notChosen: first.rest.length, selected: targets.length };
      return done({ targets, notChosen: first.rest.map(refOf), exclusions: stage.exclusions, counts }, 'chosen');
    }
    log('info', `${exclusions.length} of the ${first.chosen.length} VMIs drawn have no usable virt-launcher pod; reading all launcher pods to draw among eligible VMIs only`, {
      vmis: exclusions.map((e) => `${e.namespace}/${e.name}`),
    });
  }
  const pods = await listLaunchers(client, stage.candidates, false, limit, log);
  return done(selectAmongEligible(stage, pods, criteria, random), 'all');
}

async function listVmis(
  client: KubeClient,
  criteria: SelectionCriteria,
  limit: number,
  log: StepLogger['log'],
): Promise<{ vmis: Collected<VmiRecord>; scope: ListScope }> {
  // Each item becomes its record as it is parsed (KubeClient.listVmis' pick): a page of full VMIs
  // never exists in memory at once.
  const collect = (namespace: string | undefined): Promise<Collected<VmiRecord>> =>
    collectPages(
      (token) =>
        client.listVmis(
          {
            ...(namespace ? { namespace } : {}),
            labelSelector: criteria.labelSelector,
            limit,
            ...(token ? { continueToken: token } : {}),
          },
          toVmiRecord,
        ),
      (record) => record,
      log,
    );
  try {
    return { vmis: await collect(undefined), scope: { fallback: false } };
  } catch (e) {
    if (!(e instanceof KubeAccessError && e.status === 403)) throw e;
    const namespace = plainNamespaceOf(criteria.namespace);
    if (namespace === undefined) {
      log('error', `cannot fall back to a namespaced list: namespace regex "${criteria.namespace}" is not a plain namespace name`, { request: describeRequest(e.request) });
      throw e;
    }
    const unseen = isExactNamespace(criteria.namespace) ? '' : `; other namespaces starting with "${namespace}" cannot be seen`;
    log('warn', `${describeRequest({ verb: 'list', resource: VMI_RESOURCE })} is forbidden; listing namespace "${namespace}" only${unseen}`, { namespace });
    return { vmis: await collect(namespace), scope: { namespace, fallback: true } };
  }
}

/**
 * The launcher pods of `vmis`: in their namespace when they share one (fewer pods, and a
 * namespaced Role suffices), else one cluster-wide list, never one list per namespace. `byUid`
 * narrows the label selector to the VMIs' UIDs.
 */
async function listLaunchers(
  client: KubeClient,
  vmis: readonly VmiRecord[],
  byUid: boolean,
  limit: number,
  log: StepLogger['log'],
): Promise<LauncherPodRecord[]> {
  const namespaces = new Set(vmis.map((v) => v.namespace));
  const namespace = namespaces.size === 1 ? vmis[0]!.namespace : undefined;
  const uids = new Set(vmis.map((v) => v.uid));
  const labelSelector = byUid ? `${LAUNCHER_SELECTOR},${CREATED_BY_LABEL} in (${[...uids].sort().join(',')})` : LAUNCHER_SELECTOR;
  const pick = (pod: unknown): LauncherPodRecord | undefined => {
    const record = toLauncherPodRecord(pod);
    return record && uids.has(record.vmiUid) ? record : undefined;
  };
  const listed = await collectPages(
    (token) => client.listPods({ ...(namespace ? { namespace } : {}), labelSelector, limit, ...(token ? { continueToken: token } : {}) }, pick),
    (record) => record,
    log,
  );
  const whose = byUid ? `of the ${vmis.length} VMIs drawn` : `of ${vmis.length} candidate VMIs`;
  log('info', `listed ${listed.listed} virt-launcher pods ${whose} ${namespace ? `in namespace "${namespace}"` : 'at cluster scope'} in ${listed.pages} page(s)`, {
    listed: listed.listed,
    pages: listed.pages,
  });
  return listed.items;
}

function secondaryNotes(selection: Selection, candidates: VmiStage['candidates']): ClusterSelection['notes'] {
  const byUid = new Map(candidates.map((v) => [v.uid, v]));
  return selection.targets.flatMap((target) => {
    const secondary = byUid.get(target.uid)?.binding.secondary ?? [];
    if (secondary.length === 0 || target.interfaces) return [];
    const list = secondary.map((i) => `"${i.name}" (${i.kind})`).join(', ');
    return [{ namespace: target.namespace, name: target.name, note: `secondary interfaces ${list} are not filtered, only the primary one; name their devices in the scenario's interfaces to filter them` }];
  });
}
