/**
 * The `controller-revision-hash` of a pod template, in the form the controllers write it: an FNV-32a hash of the
 * template (here of its canonical JSON, so any change to the template changes it and nothing else does), written
 * as its decimal digits mapped onto `rand.SafeEncodeString`'s alphabet, e.g. `5d8c9b7f4`.
 */

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with object keys sorted at every level and `undefined` members left out. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}

export function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Maps each character of a decimal number onto the alphabet, as `rand.SafeEncodeString` does. */
export function safeEncode(digits: string): string {
  return Array.from({ length: digits.length }, (_, i) => SAFE_ALPHABET[digits.charCodeAt(i) % SAFE_ALPHABET.length] ?? '').join('');
}

export function templateHash(template: unknown): string {
  return safeEncode(String(fnv32a(canonicalJson(template))));
}
