import type { Pod } from '../kube/models.js';

/**
 * Velero's exposer verbs for one kind of data movement (`T` is the DataUpload or DataDownload). Every verb is
 * idempotent, so a node-agent that restarts half-way simply calls it again.
 */
export interface Exposer<T> {
  /** Creates what the data-mover pod needs (snapshot clone, PVC) and the pod itself, last; what exists is kept. */
  expose(owner: T, signal: AbortSignal): Promise<void>;
  /** Why the pod cannot start, when there is no hope left (failed, image missing); `undefined` otherwise. */
  peek(pod: Pod): string | undefined;
  /** Why the pod is not on its way to running, for `status.message`; `undefined` when nothing is wrong (yet). */
  diagnose(owner: T, pod: Pod | undefined): Promise<string | undefined>;
  /**
   * After the data mover succeeded, before the object is Completed: hands the result over (a restore re-binds the
   * restored volume to the target PVC). A throw fails the object with its message.
   */
  conclude?(owner: T): Promise<void>;
  /** Deletes every object `expose` made; never the user's source objects. */
  cleanUp(owner: T): Promise<void>;
}
