/**
 * @module localcluster/storage
 * The local cluster's storage: a hostpath CSI-like driver (`hostpath.csi.ferry.dev`) that is also the cluster's PV
 * controller and snapshot controller. Its nouns:
 * - **volume**: a directory `<dir>/volumes/<pv>/`, provisioned for claims of its StorageClasses, with node affinity
 *   per the topology option, reclaimed per policy (claims.ts, reclaim.ts, topology.ts);
 * - **snapshot**: a point-in-time copy `<dir>/snapshots/<handle>/` behind a VolumeSnapshotContent, and the driver's
 *   record of it (snapshots.ts, copy.ts, records.ts);
 * - **data source**: a snapshot or claim a new volume starts as a copy of (datasource.ts);
 * - **work queue**: claims, volumes, snapshots and contents reconciled by key with retries (queue.ts).
 * Nothing is attached: the CSIDriver says `attachRequired: false`, so there are no VolumeAttachments.
 * See docs/local-cluster-runtime.md.
 */
import { CoreV1Api, CustomObjectsApi, KubernetesObjectApi, type KubeConfig, type KubernetesObject, type V1Node, type V1PersistentVolume, type V1PersistentVolumeClaim, type V1StorageClass } from '@kubernetes/client-node';
import { KubeClient } from '../../kube/client.js';
import { Informer, type InformerEventType } from '../../kube/informer.js';
import { R, type ResourceType } from '../../kube/resources.js';
import type { Logger } from '../../util/log.js';
import { eventRecorder } from '../kubelet/events.js';
import { reconcileClaim } from './claims.js';
import { installDriverObjects } from './classes.js';
import { isOurVolume, type DriverContext } from './context.js';
import { WorkQueue } from './queue.js';
import { deleteVolumeData, reconcileVolume } from './reclaim.js';
import { contentDeleted, reconcileContent, reconcileSnapshot } from './snapshots.js';
import { RoundRobin, type Topology } from './topology.js';
import type { Observed, VolumeSnapshot, VolumeSnapshotClass, VolumeSnapshotContent } from '../../kube/snapshots.js';

export { DRIVER_NAME } from './paths.js';
export { SNAPSHOT_CLASS, STORAGE_CLASS, WFFC_STORAGE_CLASS } from './classes.js';
export type { Topology } from './topology.js';

export interface HostpathDriverOptions {
  /** The cluster directory: volumes under `<dir>/volumes`, snapshots under `<dir>/snapshots`. */
  dir: string;
  /** The node affinity of new volumes. Default `hostname`. */
  topology?: Topology;
  logger: Logger;
  /** How often every object is reconciled again, as a safety net. Default 30 s. */
  resyncMs?: number;
}

export interface HostpathDriver {
  stop(): Promise<void>;
}

type Key = `pvc/${string}` | `pv/${string}` | `vs/${string}` | `vsc/${string}`;

function nsName(obj: KubernetesObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

export async function startHostpathDriver(kc: KubeConfig, opts: HostpathDriverOptions): Promise<HostpathDriver> {
  const { dir, topology = 'hostname', logger, resyncMs = 30_000 } = opts;
  const log = logger.child({ component: 'hostpath-csi' });
  const objects = KubernetesObjectApi.makeApiClient(kc);
  await installDriverObjects(objects);

  const handle = async (key: string): Promise<void> => {
    const [kind = '', first = '', second] = key.split('/');
    if (kind === 'pvc') await reconcileClaim(ctx, first, second ?? '');
    else if (kind === 'pv') await reconcileVolume(ctx, first);
    else if (kind === 'vs') await reconcileSnapshot(ctx, first, second ?? '');
    else await reconcileContent(ctx, first);
  };
  const queue = new WorkQueue(handle, { concurrency: 4, logger: log });
  const add = (key: Key): void => {
    queue.add(key);
  };
  const inBackground = (what: string, work: Promise<void>): void => {
    work.catch((err: unknown) => {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, what);
    });
  };
  /** Claims still waiting: for a class, a node, a data source. */
  const pendingClaims = (): void => {
    for (const c of ctx.claims.list()) if (c.status?.phase !== 'Bound') add(`pvc/${nsName(c)}`);
  };
  const unreadySnapshots = (): void => {
    for (const vs of ctx.snapshots.list()) if (vs.status?.readyToUse !== true) add(`vs/${nsName(vs)}`);
  };
  const client = new KubeClient(kc);
  const watch = <T extends KubernetesObject>(resource: ResourceType, onEvent: (type: InformerEventType, obj: T) => void): Informer<T> =>
    new Informer<T>(client, { resource, logger: log, onEvent }).start();

  const ctx: DriverContext = {
    dir,
    topology,
    core: kc.makeApiClient(CoreV1Api),
    objects,
    custom: kc.makeApiClient(CustomObjectsApi),
    events: eventRecorder(objects, { component: 'hostpath.csi.ferry.dev', logger: log }),
    logger: log,
    roundRobin: new RoundRobin(),
    claims: watch<V1PersistentVolumeClaim>(R.persistentVolumeClaims, (type, claim) => {
      add(`pvc/${nsName(claim)}`);
      const volume = claim.spec?.volumeName;
      if (type === 'deleted' && volume !== undefined) add(`pv/${volume}`);
      // Snapshots of this claim and clones of it may have been waiting for it.
      unreadySnapshots();
      pendingClaims();
    }),
    volumes: watch<V1PersistentVolume>(R.persistentVolumes, (type, pv) => {
      add(`pv/${pv.metadata?.name ?? ''}`);
      const ref = pv.spec?.claimRef;
      if (ref !== undefined) add(`pvc/${ref.namespace ?? ''}/${ref.name ?? ''}`);
      // A PV deleted directly (no pv-protection here): its data goes under Delete, as with the provisioner's finalizer.
      if (type === 'deleted' && isOurVolume(pv) && pv.spec?.persistentVolumeReclaimPolicy === 'Delete') inBackground('could not delete volume data', deleteVolumeData(ctx, pv));
    }),
    classes: watch<V1StorageClass>(R.storageClasses, pendingClaims),
    nodes: watch<V1Node>(R.nodes, pendingClaims),
    snapshots: watch<Observed<VolumeSnapshot>>(R.volumeSnapshots, (type, vs) => {
      add(`vs/${nsName(vs)}`);
      if (type === 'deleted') {
        const content = vs.status?.boundVolumeSnapshotContentName ?? vs.spec?.source?.volumeSnapshotContentName ?? `snapcontent-${vs.metadata?.uid ?? ''}`;
        add(`vsc/${content}`);
      }
      // Claims restoring from this snapshot may have been waiting for it to be ready.
      pendingClaims();
    }),
    contents: watch<Observed<VolumeSnapshotContent>>(R.volumeSnapshotContents, (type, content) => {
      add(`vsc/${content.metadata?.name ?? ''}`);
      const ref = content.spec?.volumeSnapshotRef;
      if (ref?.name !== undefined) add(`vs/${ref.namespace ?? ''}/${ref.name}`);
      if (type === 'deleted') inBackground('could not delete snapshot data', contentDeleted(ctx, content));
    }),
    snapshotClasses: watch<Observed<VolumeSnapshotClass>>(R.volumeSnapshotClasses, unreadySnapshots),
  };
  const informers = [ctx.claims, ctx.volumes, ctx.classes, ctx.nodes, ctx.snapshots, ctx.contents, ctx.snapshotClasses];
  await Promise.all(informers.map((i) => i.synced));
  queue.start();
  const resync = setInterval(() => {
    for (const pv of ctx.volumes.list()) add(`pv/${pv.metadata?.name ?? ''}`);
    for (const c of ctx.contents.list()) add(`vsc/${c.metadata?.name ?? ''}`);
    pendingClaims();
    unreadySnapshots();
  }, resyncMs);
  resync.unref();
  log.info('hostpath driver started');

  return {
    async stop() {
      clearInterval(resync);
      await Promise.all(informers.map((i) => i.stop()));
      client.close();
      await queue.stop();
    },
  };
}
