import type { NodeSelector, PersistentVolume, StorageClass } from '../kube/models.js';
import type { KubeClient } from '../kube/client.js';
import { R } from '../kube/resources.js';
import { FerryError, errorMessage } from '../util/errors.js';

/**
 * Velero's `GetVolumeTopology`: the source PV's `spec.nodeAffinity.required` when its storage class binds volumes
 * WaitForFirstConsumer (the volume exists only where its consumer ran, so the data-mover pod must go there too);
 * `undefined` otherwise.
 */
export async function volumeTopology(client: KubeClient, pvName: string, storageClass: string): Promise<NodeSelector | undefined> {
  if (pvName === '' || storageClass === '') throw new FerryError('Internal', `invalid parameter, pv ${pvName}, sc ${storageClass}`);
  let sc: StorageClass;
  try {
    sc = await client.get<StorageClass>(R.storageClasses, { name: storageClass });
  } catch (err) {
    throw new FerryError('NotFound', `error getting volume topology for PV ${pvName}, storage class ${storageClass}: ${errorMessage(err)}`, { cause: err });
  }
  if (sc.volumeBindingMode !== 'WaitForFirstConsumer') return undefined;
  const pv = await client.get<PersistentVolume>(R.persistentVolumes, { name: pvName });
  return pv.spec?.nodeAffinity?.required;
}
