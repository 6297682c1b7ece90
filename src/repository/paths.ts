/** Paths as raw bytes: names that are not valid UTF-8 must survive the round trip through the filesystem API. */
const SLASH = Buffer.from('/');

export function joinPath(dir: Uint8Array, name: Uint8Array): Buffer {
  return Buffer.concat([dir, SLASH, name]);
}
