/**
 * `NodeShouldRunDaemonPod`: whether a DaemonSet wants a pod on a node (its template's nodeSelector and required node
 * affinity match, and every NoSchedule/NoExecute taint is tolerated, counting the daemon tolerations), and whether a
 * pod already there may stay (a node that only gained NoSchedule taints keeps its daemon). Cordon does not matter:
 * daemon pods tolerate it. The matching is the affinity module's.
 */
import type { V1DaemonSet, V1Node } from '@kubernetes/client-node';
import { compilePlacement, untoleratedTaints, type CompiledPlacement } from '../../affinity/index.js';
import type { Toleration } from '../../kube/models.js';
import { withDaemonTolerations } from './pods.js';

export interface Eligibility {
  shouldRun: boolean;
  shouldContinueRunning: boolean;
}

export interface DaemonPlacement {
  placement: CompiledPlacement;
  tolerations: Toleration[];
  nodeName: string | undefined;
}

export function daemonPlacement(ds: V1DaemonSet): DaemonPlacement {
  const spec = ds.spec?.template.spec;
  const tolerations = withDaemonTolerations(spec?.tolerations, spec?.hostNetwork === true);
  return {
    placement: compilePlacement({ ...(spec?.nodeSelector ? { nodeSelector: spec.nodeSelector } : {}), ...(spec?.affinity ? { affinity: spec.affinity } : {}), tolerations }),
    tolerations,
    nodeName: spec?.nodeName || undefined,
  };
}

export function eligibility({ placement, tolerations, nodeName }: DaemonPlacement, node: V1Node): Eligibility {
  if (nodeName !== undefined && nodeName !== node.metadata?.name) return { shouldRun: false, shouldContinueRunning: false };
  const kinds = new Set(placement.evaluate(node).reasons.map((r) => r.kind));
  if (kinds.has('nodeSelector') || kinds.has('nodeAffinity')) return { shouldRun: false, shouldContinueRunning: false };
  if (kinds.has('taint')) {
    const noExecute = untoleratedTaints(node.spec?.taints, tolerations).some((t) => t.effect === 'NoExecute');
    return { shouldRun: false, shouldContinueRunning: !noExecute };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}
