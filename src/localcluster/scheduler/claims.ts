/**
 * VolumeBinding's wait in PreBind (`checkBindings`): after the scheduler put `volume.kubernetes.io/selected-node` on
 * a pod's WaitForFirstConsumer claims, it waits until the provisioner has bound each of them. A provisioner that
 * gives up removes the annotation, which fails the wait so the pod is scheduled again; so does a volume whose node
 * affinity excludes the node.
 */
import type { V1Node, V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { matchNodeSelectorTerms } from '../../affinity/index.js';
import { SELECTED_NODE_ANNOTATION } from '../../kube/annotations.js';
import { isClaimBound } from './volumes.js';

export interface ClaimWaitOptions {
  podKey: string;
  node: string;
  /** The claims, as `namespace/name`. */
  claims: readonly string[];
  claim(key: string): V1PersistentVolumeClaim | undefined;
  volume(name: string): V1PersistentVolume | undefined;
  nodeObject(): V1Node | undefined;
  timeoutMs: number;
}

export interface ClaimWaiter {
  podKey: string;
  /** Settles when every claim is bound (or the wait failed). */
  done: Promise<void>;
  /** Re-reads the claims; call on every claim or volume change. */
  check(): void;
  cancel(reason: string): void;
}

/**
 * Why the claims cannot be used yet: `undefined` when all are bound, `'wait'` while provisioning, else the failure.
 * `annotated` collects the claims whose annotation the cache has shown: the patch that set it may not have arrived
 * yet, and only an annotation seen and then gone means the provisioner gave up.
 */
function claimsState(o: ClaimWaitOptions, annotated: Set<string>): string | undefined {
  let waiting = false;
  for (const key of o.claims) {
    const name = key.slice(key.indexOf('/') + 1);
    const claim = o.claim(key);
    if (claim === undefined) return `persistentvolumeclaim "${name}" not found`;
    if (claim.metadata?.annotations?.[SELECTED_NODE_ANNOTATION] === o.node) {
      annotated.add(key);
    } else {
      if (annotated.has(key)) return `provisioning failed for PVC "${name}"`;
      waiting = true;
      continue;
    }
    const pvName = claim.spec?.volumeName;
    if (pvName) {
      const terms = o.volume(pvName)?.spec?.nodeAffinity?.required?.nodeSelectorTerms;
      const node = o.nodeObject();
      if (terms !== undefined && node !== undefined && !matchNodeSelectorTerms(terms, node)) return `pv "${pvName}" node affinity doesn't match node "${o.node}"`;
    }
    if (!isClaimBound(claim)) waiting = true;
  }
  return waiting ? 'wait' : undefined;
}

export function waitForClaims(options: ClaimWaitOptions): ClaimWaiter {
  let settle: { resolve: () => void; reject: (err: Error) => void } | undefined;
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const timer = setTimeout(() => {
    finish(new Error('context deadline exceeded'));
  }, options.timeoutMs);
  function finish(err?: Error): void {
    if (settle === undefined) return;
    clearTimeout(timer);
    if (err === undefined) settle.resolve();
    else settle.reject(err);
    settle = undefined;
  }
  const annotated = new Set<string>();
  const waiter: ClaimWaiter = {
    podKey: options.podKey,
    done,
    check() {
      const state = claimsState(options, annotated);
      if (state === undefined) finish();
      else if (state !== 'wait') finish(new Error(state));
    },
    cancel(reason) {
      finish(new Error(reason));
    },
  };
  waiter.check();
  return waiter;
}
