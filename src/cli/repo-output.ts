/** Output helpers for `ferry repo`: sizes, counts, JSON lines and a progress bar on a terminal. */
import cliProgress from 'cli-progress';

export type OutputFormat = 'text' | 'json';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** `2.1 GB`: decimal units, as people read disk sizes. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${UNITS[unit] ?? ''}`;
}

/** `17,411`, without toLocaleString's ICU start-up. */
export const formatCount = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export interface ProgressSink {
  update(p: { totalBytes: number; bytesDone: number; files: number }): void;
  stop(): void;
}

/** A bar on a terminal (stderr), JSON lines with `-o json`, nothing otherwise. */
export function progressSink(format: OutputFormat, label: string): ProgressSink | undefined {
  if (format === 'json') {
    return { update: (p) => { printJson({ type: 'progress', ...p }); }, stop: () => undefined };
  }
  if (!process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {done} of {size} | {files} files`,
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1, 0, { done: '0 B', size: '?', files: '0' });
  return {
    update(p) {
      bar.setTotal(Math.max(p.totalBytes, p.bytesDone, 1));
      bar.update(p.bytesDone, { done: formatBytes(p.bytesDone), size: formatBytes(p.totalBytes), files: formatCount(p.files) });
    },
    stop: () => { bar.stop(); },
  };
}
