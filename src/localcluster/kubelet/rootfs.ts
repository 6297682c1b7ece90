/**
 * A container root: the directory a local process sees as `/` through `containerPath`. It is rebuilt empty for
 * every start of the container (a restarted container gets a fresh writable layer, as with a real runtime); each
 * volume mount is a symlink at its mount path pointing at the volume's directory (or its `subPath`), and the
 * termination-message file exists empty. Mounts nested inside other mounts are refused: the inner symlink would
 * land inside the outer volume's data.
 */
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import type { V1Container } from '@kubernetes/client-node';
import { expandVars } from './command.js';
import { ContainerConfigError } from './env.js';
import { SERVICE_ACCOUNT_DIR, SERVICE_ACCOUNT_VOLUME } from './volumes.js';

export interface RootOptions {
  root: string;
  container: V1Container;
  /** The pod's prepared volumes by name. */
  volumes: ReadonlyMap<string, string>;
  env: Readonly<Record<string, string>>;
}

export interface ContainerRoot {
  cwd: string;
  terminationLog: string;
}

const DEFAULT_TERMINATION_LOG = '/dev/termination-log';

function isInside(inner: string, outer: string): boolean {
  return outer === '/' || inner === outer || inner.startsWith(`${outer}/`);
}

/** The parts of a V1VolumeMount the root needs. */
interface Mount {
  name: string;
  mountPath: string;
  subPath?: string | undefined;
  subPathExpr?: string | undefined;
}

function mountsOf(container: V1Container, volumes: ReadonlyMap<string, string>): Mount[] {
  const mounts: Mount[] = (container.volumeMounts ?? []).map(({ name, mountPath, subPath, subPathExpr }) => ({ name, mountPath, subPath, subPathExpr }));
  const saCovered = mounts.some((m) => isInside(SERVICE_ACCOUNT_DIR, normalize(m.mountPath)) || isInside(normalize(m.mountPath), SERVICE_ACCOUNT_DIR));
  if (volumes.has(SERVICE_ACCOUNT_VOLUME) && !saCovered) mounts.push({ name: SERVICE_ACCOUNT_VOLUME, mountPath: SERVICE_ACCOUNT_DIR });
  return mounts.sort((a, b) => (a.mountPath < b.mountPath ? -1 : a.mountPath > b.mountPath ? 1 : 0));
}

function subPathOf(mount: Mount, env: Readonly<Record<string, string>>): string {
  const sub = mount.subPathExpr !== undefined && mount.subPathExpr !== '' ? expandVars(mount.subPathExpr, (n) => env[n]) : (mount.subPath ?? '');
  const p = normalize(sub === '' ? '.' : sub);
  if (p.startsWith('..') || p.startsWith('/')) throw new ContainerConfigError(`failed to prepare subPath for volumeMount "${mount.name}": subPath "${sub}" must be a relative path without '..'`);
  return p;
}

export async function buildContainerRoot({ root, container, volumes, env }: RootOptions): Promise<ContainerRoot> {
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  const mounts = mountsOf(container, volumes);
  const placed: string[] = [];
  for (const mount of mounts) {
    const mountPath = normalize(mount.mountPath);
    const outer = placed.find((p) => isInside(mountPath, p));
    if (outer !== undefined) {
      throw new ContainerConfigError(`volume mount ${mountPath} is inside volume mount ${outer}: nested mounts are not supported by the local kubelet`);
    }
    const backing = volumes.get(mount.name);
    if (backing === undefined) throw new ContainerConfigError(`cannot find volume "${mount.name}" to mount into container "${container.name}"`);
    const sub = subPathOf(mount, env);
    const target = join(backing, sub);
    if (sub !== '.') await mkdir(target, { recursive: true }).catch(() => undefined);
    const link = join(root, mountPath);
    await mkdir(dirname(link), { recursive: true });
    await symlink(target, link);
    placed.push(mountPath);
  }
  const terminationLog = join(root, container.terminationMessagePath ?? DEFAULT_TERMINATION_LOG);
  await mkdir(dirname(terminationLog), { recursive: true });
  await writeFile(terminationLog, '');
  const cwd = join(root, container.workingDir ?? '/');
  await mkdir(cwd, { recursive: true });
  return { cwd, terminationLog };
}
