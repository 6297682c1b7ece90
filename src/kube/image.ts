/**
 * The container image that runs Ferry: `ferry install` puts it in the node-agent DaemonSet, data-mover pods inherit
 * it, and the local cluster's kubelets run containers of this image as local `ferry` processes.
 */
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export const FERRY_VERSION = version;
export const DEFAULT_FERRY_IMAGE = `ferry/ferry:${version}`;
