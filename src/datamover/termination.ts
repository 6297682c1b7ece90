import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { containerPath } from '../util/containerpaths.js';

/** Where the kubelet reads a container's last words from (the pod's `terminationMessagePath` default). */
export const TERMINATION_LOG = '/dev/termination-log';
/** The kubelet keeps at most this many bytes of a termination message. */
const MAX_BYTES = 4096;

/** Writes the container's termination message, where the kubelet (or the local cluster's) reads it. */
export function writeTerminationMessage(message: string, path: string = TERMINATION_LOG): void {
  const file = containerPath(path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, Buffer.from(message, 'utf8').subarray(0, MAX_BYTES));
}
