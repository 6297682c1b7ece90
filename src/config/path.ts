/**
 * Issue paths: `loadAffinity[0].nodeSelector.matchExpressions[1].operator`. Struct fields join with `.`, list
 * elements take `[i]`, and map keys (label keys, storage class names) join with `.` when they are a plain word,
 * else they are quoted: `matchLabels["kubernetes.io/os"]`, so a path never reads two ways.
 */

/** The path of the whole document. */
export const ROOT = '$';

export function fieldPath(parent: string, name: string): string {
  return parent === ROOT ? name : `${parent}.${name}`;
}

export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

export function keyPath(parent: string, key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? fieldPath(parent, key) : `${parent === ROOT ? '' : parent}[${JSON.stringify(key)}]`;
}

/** True when `path` is `ancestor` itself or lies inside it. */
export function isWithin(path: string, ancestor: string): boolean {
  if (ancestor === ROOT) return true;
  if (!path.startsWith(ancestor)) return false;
  const next = path.charAt(ancestor.length);
  return next === '' || next === '.' || next === '[';
}
