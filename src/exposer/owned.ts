import type { PersistentVolume, PersistentVolumeClaim } from '../kube/models.js';
import type { KubeClient } from '../kube/client.js';
import { isAlreadyExists } from '../kube/errors.js';
import { R, type ResourceType } from '../kube/resources.js';

/** Enough of any object to tell whether the exposer made it. */
type Labelled = { metadata?: { labels?: Record<string, string>; uid?: string } };

/**
 * Objects an exposer makes are named after their owner and labelled `<label>=<owner name>`: only those are ever
 * deleted, so a namesake of the user's is never touched. Every helper is idempotent (a restarted node-agent repeats it).
 */
export class OwnedObjects {
  constructor(
    private readonly client: KubeClient,
    /** `velero.io/data-upload` or `velero.io/data-download`. */
    readonly label: string,
  ) {}

  labels(owner: string): Record<string, string> {
    return { [this.label]: owner };
  }

  madeFor(obj: Labelled, owner: string): boolean {
    return obj.metadata?.labels?.[this.label] === owner;
  }

  async createIfAbsent(resource: ResourceType, namespace: string | undefined, body: object): Promise<void> {
    try {
      await this.client.create(resource, namespace, body);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  async delete(resource: ResourceType, namespace: string | undefined, name: string, gracePeriodSeconds?: number): Promise<void> {
    const obj = await this.client.find<Labelled>(resource, { namespace, name });
    if (obj === undefined || !this.madeFor(obj, name)) return;
    await this.client.delete(resource, { namespace, name }, {
      ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }),
      ...(obj.metadata?.uid === undefined ? {} : { uid: obj.metadata.uid }),
    });
  }

  /** Deletes the PVC made for `name` and, whatever the storage class's reclaim policy, the volume behind it. */
  async deleteClaimAndVolume(namespace: string, name: string): Promise<void> {
    const { client } = this;
    const pvc = await client.find<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace, name });
    if (pvc === undefined || !this.madeFor(pvc, name)) return;
    const pvName = pvc.spec?.volumeName;
    const pv = pvName === undefined || pvName === '' ? undefined : await client.find<PersistentVolume>(R.persistentVolumes, { name: pvName });
    if (pv !== undefined && pv.spec?.persistentVolumeReclaimPolicy !== 'Delete') {
      await client.patch(R.persistentVolumes, { name: pvName }, { spec: { persistentVolumeReclaimPolicy: 'Delete' } });
    }
    await client.delete(R.persistentVolumeClaims, { namespace, name }, pvc.metadata?.uid === undefined ? {} : { uid: pvc.metadata.uid });
  }
}
