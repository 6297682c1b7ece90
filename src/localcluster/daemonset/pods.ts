/**
 * A DaemonSet's pods as the DaemonSet controller makes them: the template, labelled with the template's revision
 * (`controller-revision-hash`, `pod-template-generation`), owned by the DaemonSet, tolerating what a node's
 * condition taints would otherwise keep it from (so a daemon runs on a not-ready or cordoned node), and pinned to
 * its node by a required node affinity on `metadata.name` that the scheduler then honours.
 */
import type { V1DaemonSet, V1Pod, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { Plain, Toleration } from '../../kube/models.js';

export const REVISION_HASH_LABEL = 'controller-revision-hash';
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** Where the API server keeps apps/v1's lost `spec.templateGeneration`. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';
const NAME_FIELD = 'metadata.name';

type Pod = Plain<V1Pod>;

/** `AddOrUpdateDaemonPodTolerations`, in its order. */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const t = (key: string, effect: string): Toleration => ({ key: `node.kubernetes.io/${key}`, operator: 'Exists', effect });
  return [
    t('not-ready', 'NoExecute'),
    t('unreachable', 'NoExecute'),
    t('disk-pressure', 'NoSchedule'),
    t('memory-pressure', 'NoSchedule'),
    t('pid-pressure', 'NoSchedule'),
    t('unschedulable', 'NoSchedule'),
    ...(hostNetwork ? [t('network-unavailable', 'NoSchedule')] : []),
  ];
}

function sameToleration(a: Toleration, b: Toleration): boolean {
  return a.key === b.key && (a.operator ?? 'Equal') === (b.operator ?? 'Equal') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');
}

/** The template's tolerations plus the daemon ones it lacks. */
export function withDaemonTolerations(tolerations: readonly Toleration[] | undefined, hostNetwork: boolean): Toleration[] {
  const out = [...(tolerations ?? [])];
  for (const t of daemonTolerations(hostNetwork)) if (!out.some((o) => sameToleration(o, t))) out.push(t);
  return out;
}

/** The template generation pods are labelled with: the API server's annotation, else the DaemonSet's generation. */
export function templateGeneration(ds: V1DaemonSet): string {
  return ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION] ?? String(ds.metadata?.generation ?? 1);
}

/** The node a daemon pod belongs to: where it is bound, else the node its affinity pins it to (`GetTargetNodeName`). */
export function targetNodeName(pod: V1Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const f of term.matchFields ?? []) {
      if (f.key === NAME_FIELD && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

/** A new daemon pod for `node` (`generateName` `<daemonset>-`). */
export function newDaemonPod(ds: V1DaemonSet, node: string, hash: string): Pod {
  const template: Plain<V1PodTemplateSpec> = ds.spec?.template ?? {};
  const spec = template.spec ?? { containers: [] };
  const pin = { matchFields: [{ key: NAME_FIELD, operator: 'In', values: [node] }] };
  const nodeAffinity = { ...spec.affinity?.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [pin] } };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${ds.metadata?.name ?? ''}-`,
      namespace: ds.metadata?.namespace ?? 'default',
      labels: { ...template.metadata?.labels, [REVISION_HASH_LABEL]: hash, [TEMPLATE_GENERATION_LABEL]: templateGeneration(ds) },
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata?.name ?? '', uid: ds.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      ...spec,
      affinity: { ...spec.affinity, nodeAffinity },
      tolerations: withDaemonTolerations(spec.tolerations, spec.hostNetwork === true),
    },
  };
}
