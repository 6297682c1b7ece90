/**
 * Key syntax shared by every backend, so that a repository written to one store can be copied to another.
 * A key is a relative, slash-separated path: no empty, `.` or `..` segments, no leading or trailing slash, no NUL.
 */

/** Files with this name prefix are a filesystem backend's in-flight writes, never objects. */
export const TEMP_PREFIX = '.ferry-tmp-';

/** The problem with `key`, or `undefined` when it is a valid object key. */
export function keyProblem(key: string): string | undefined {
  if (key === '') return 'the key is empty';
  if (key.includes('\0')) return 'the key contains a NUL character';
  if (key.startsWith('/')) return 'the key is absolute (starts with "/")';
  for (const segment of key.split('/')) {
    if (segment === '') return 'the key has an empty path segment ("//" or a trailing "/")';
    if (segment === '.' || segment === '..') return `the key has a "${segment}" path segment`;
    if (segment.startsWith(TEMP_PREFIX)) return `the key has a segment starting with "${TEMP_PREFIX}", reserved for temporary files`;
  }
  return undefined;
}

/** Throws a `RangeError` for an invalid key: keys come from the repository code, so a bad one is a bug. */
export function checkKey(key: string): void {
  const problem = keyProblem(key);
  if (problem !== undefined) throw new RangeError(`invalid storage key ${JSON.stringify(key)}: ${problem}`);
}

/** List prefixes follow the key rules except that they may be empty or end with "/". */
export function checkPrefix(prefix: string): void {
  if (prefix === '') return;
  const asKey = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  const problem = keyProblem(asKey);
  if (problem !== undefined) throw new RangeError(`invalid storage prefix ${JSON.stringify(prefix)}: ${problem}`);
}
