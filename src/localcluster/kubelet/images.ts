/** Which container images the local kubelet runs as local Ferry processes, and the IDs it reports for them. */
import { createHash } from 'node:crypto';
import { DEFAULT_FERRY_IMAGE } from '../../kube/image.js';

/** `registry/ns/name:tag@digest` without tag and digest. A colon before the last slash is a registry port. */
export function imageRepository(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}

/**
 * True for Ferry's own image: the default one, any listed in `extra`, and any whose repository is `ferry/ferry`,
 * ends with `/ferry`, or is plain `ferry` (Docker Hub's `library/ferry`).
 */
export function isFerryImage(image: string, extra: readonly string[] = []): boolean {
  if (image === DEFAULT_FERRY_IMAGE || extra.includes(image)) return true;
  const repo = imageRepository(image);
  return repo === 'ferry' || repo.endsWith('/ferry');
}

/** A stable `imageID` in the form container runtimes report (`<repository>@sha256:<hex>`). */
export function imageId(image: string): string {
  return `${imageRepository(image)}@sha256:${createHash('sha256').update(image).digest('hex')}`;
}
