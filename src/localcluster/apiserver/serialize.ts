/**
 * JSON text of stored objects, cached per object: stored objects never change, so lists and watches with many
 * readers serialise each object once.
 */
const cache = new WeakMap<object, string>();

export function objectJson(obj: object): string {
  let text = cache.get(obj);
  if (text === undefined) {
    text = JSON.stringify(obj);
    cache.set(obj, text);
  }
  return text;
}
