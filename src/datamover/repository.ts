import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Repository } from '../repository/index.js';
import type { Storage } from '../repository/storage/index.js';
import type { KubeClient } from '../kube/client.js';
import { isAlreadyExists } from '../kube/errors.js';
import { R } from '../kube/resources.js';
import { apiTimestamp, toMillis } from '../kube/time.js';
import { FerryError, isFerryError } from '../util/errors.js';
import type { Logger } from '../util/log.js';

export interface OpenRepositoryOptions {
  storage: Storage;
  password: string;
  client: KubeClient;
  /** Where the initialisation lease lives (the install namespace). */
  namespace: string;
  /** Who holds the lease, for people reading it: the DataUpload's name. */
  holder: string;
  logger: Logger;
  signal?: AbortSignal;
  /** A lease older than this is from a data mover that died while initialising; default 60 s. */
  staleAfterMs?: number;
  /** How long to wait for another data mover to create the repository; default 10 min. */
  timeoutMs?: number;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string };
  spec: { holderIdentity: string; acquireTime: string; renewTime: string };
}

const isMissing = (err: unknown): boolean => isFerryError(err) && err.code === 'NotFound';

/**
 * Opens the repository, creating it first when there is none. Object stores without conditional writes cannot stop
 * two data movers from both creating one (the second would overwrite the first's config), so creation happens under
 * a Kubernetes Lease named after the repository's location; the others wait for the repository to appear. A
 * repository that "already exists" when creating it is simply opened.
 */
export async function openOrInitRepository(options: OpenRepositoryOptions): Promise<Repository> {
  const { storage, password, client, namespace, holder, logger, signal, staleAfterMs = 60_000, timeoutMs = 600_000 } = options;
  const deadline = Date.now() + timeoutMs;
  const leaseName = `ferry-repo-init-${createHash('sha256').update(storage.location).digest('hex').slice(0, 16)}`;
  for (;;) {
    signal?.throwIfAborted();
    try {
      return await Repository.open(storage, { password });
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    const now = apiTimestamp();
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: leaseName, namespace },
      spec: { holderIdentity: holder, acquireTime: now, renewTime: now },
    };
    try {
      await client.create(R.leases, namespace, lease);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const held = await client.find<Lease>(R.leases, { namespace, name: leaseName });
      const since = toMillis(held?.spec.renewTime);
      if (since !== undefined && Date.now() - since > staleAfterMs) {
        logger.warn({ lease: leaseName, holder: held?.spec.holderIdentity }, 'removing a stale repository initialisation lease');
        await client.delete(R.leases, { namespace, name: leaseName });
      }
      if (Date.now() > deadline) {
        throw new FerryError('Timeout', `timed out waiting for ${held?.spec.holderIdentity ?? 'another data mover'} to create the repository at ${storage.location} (Lease ${namespace}/${leaseName})`);
      }
      await sleep(500, undefined, signal === undefined ? {} : { signal });
      continue;
    }
    try {
      try {
        return await Repository.open(storage, { password });
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
      logger.info({ repository: storage.location }, 'initialising the repository');
      try {
        return await Repository.init(storage, { password });
      } catch (err) {
        if (!(err instanceof FerryError && err.code === 'Conflict')) throw err;
        return await Repository.open(storage, { password });
      }
    } finally {
      await client.delete(R.leases, { namespace, name: leaseName });
    }
  }
}
