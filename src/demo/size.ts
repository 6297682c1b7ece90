/** `--size`: how much data the demo's volume holds, as people write sizes (`256MiB`, `1GiB`, `64Mi`, `500MB`). */
import { parseQuantity } from '../config/quantity.js';
import { usageError } from '../util/errors.js';

export const DEFAULT_SIZE = '256MiB';
const MIN_BYTES = 1024 * 1024;
const MAX_BYTES = 8 * 1024 ** 3;

/** Bytes, or a usage error that says what is accepted. `MiB`/`GiB`/`MB` are read as Kubernetes' `Mi`/`Gi`/`M`. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(?:([kKMGT])(i?)B?)?$/.exec(text.trim());
  // Kubernetes spells decimal kilo `k`, binary kibi `Ki`.
  const unit = match?.[2] === undefined ? '' : match[3] === 'i' ? `${match[2].toUpperCase()}i` : match[2] === 'K' ? 'k' : match[2];
  const bytes = match === null ? undefined : parseQuantity(`${match[1] ?? ''}${unit}`);
  if (bytes === undefined || !Number.isFinite(bytes)) throw usageError(`--size ${JSON.stringify(text)} is not a size`, 'e.g. --size 256MiB, --size 1GiB or --size 64Mi');
  if (bytes < MIN_BYTES || bytes > MAX_BYTES) throw usageError(`--size ${JSON.stringify(text)} is out of range: give 1MiB to 8GiB`);
  return Math.floor(bytes);
}
