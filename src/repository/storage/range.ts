/** Byte ranges for `getRange`, with the same checks and the same error in every backend. */
import { StorageError } from './types.js';

export function checkRange(offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`invalid byte range: offset ${offset}, length ${length}`);
  }
}

export function rangePastEnd(key: string, location: string, offset: number, length: number, size: number): StorageError {
  return new StorageError(
    'NotFound',
    key,
    `cannot read bytes ${offset}..${offset + length} of ${JSON.stringify(key)} in ${location}: the object is only ${size} bytes`,
  );
}
