/**
 * Locks (`locks/<random>`): writers (backup) hold a shared lock, prune an exclusive one. Writers never block each
 * other; prune refuses to start while any live lock exists, and a writer refuses to start under prune.
 *
 * A lock is stale when it was not refreshed for 30 minutes, or when it names this host and its process is gone
 * (a killed backup). Stale locks are ignored, and prune deletes them.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { seal, textBytes, unseal } from './crypto.js';
import type { Repository } from './repository.js';
import { StorageError } from './storage/index.js';
import { FerryError } from '../util/errors.js';

export const LOCK_AAD = textBytes('ferry lock v1');
export const STALE_AFTER_MS = 30 * 60 * 1000;
const REFRESH_EVERY_MS = 5 * 60 * 1000;

export interface LockInfo {
  hostname: string;
  pid: number;
  time: string;
  exclusive: boolean;
}

export interface Lock {
  readonly key: string;
  release(): Promise<void>;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function isStale(info: LockInfo, now = Date.now()): boolean {
  if (now - Date.parse(info.time) > STALE_AFTER_MS) return true;
  return info.hostname === hostname() && !processAlive(info.pid);
}

/** Every lock except `exceptKey`; an unreadable lock counts as live and exclusive, which errs on the safe side. */
export async function readLocks(repo: Repository, exceptKey?: string): Promise<{ key: string; info: LockInfo }[]> {
  const locks: { key: string; info: LockInfo }[] = [];
  for await (const { key } of repo.storage.list('locks/')) {
    if (key === exceptKey) continue;
    try {
      const data = await repo.storage.get(key);
      locks.push({ key, info: JSON.parse(unseal(repo.key.encryption, data, LOCK_AAD).toString('utf8')) as LockInfo });
    } catch (err) {
      // Released between list and get: not a lock any more. Anything else unreadable is taken as a holder we
      // cannot identify, so prune never runs beside it.
      if (err instanceof StorageError && err.code === 'NotFound') continue;
      locks.push({ key, info: { hostname: '?', pid: 0, time: new Date().toISOString(), exclusive: true } });
    }
  }
  return locks;
}

const describe = ({ info }: { info: LockInfo }): string =>
  `${info.exclusive ? 'an exclusive' : 'a'} lock held by pid ${info.pid} on ${info.hostname} since ${info.time}`;

export async function acquireLock(repo: Repository, { exclusive }: { exclusive: boolean }): Promise<Lock> {
  const key = `locks/${randomBytes(16).toString('hex')}`;
  const write = async (): Promise<void> => {
    const info: LockInfo = { hostname: hostname(), pid: process.pid, time: new Date().toISOString(), exclusive };
    await repo.storage.put(key, seal(repo.key.encryption, textBytes(JSON.stringify(info)), LOCK_AAD));
  };
  await write();
  const release = async (): Promise<void> => {
    clearInterval(timer);
    await repo.storage.delete(key);
  };
  // Write first, then look: two racing processes both see each other, so both back off rather than both proceed.
  const now = Date.now();
  const conflict = (await readLocks(repo, key)).find((l) => !isStale(l.info, now) && (exclusive || l.info.exclusive));
  const timer = setInterval(() => void write().catch(() => undefined), REFRESH_EVERY_MS);
  timer.unref();
  if (conflict) {
    await release();
    throw new FerryError('Conflict', `the repository ${repo.storage.location} is locked: ${describe(conflict)}`, {
      hint: exclusive ? 'wait for running backups to finish' : 'wait for prune to finish',
    });
  }
  return { key, release };
}
