/**
 * Starting worker threads from this folder. From a build the worker is a `.js` file next to this one; from the
 * TypeScript sources (tsx, tests) the worker is loaded through tsx's `tsImport`, since a worker does not inherit the
 * loader hooks of the thread that started it.
 */
import { Worker } from 'node:worker_threads';
import type { Transferable } from 'node:worker_threads';

/**
 * A worker's young generation would grow to 32 MiB; 8 is plenty for what workers allocate (small objects around
 * large buffers), and the difference times the workers is a fifth of the memory budget.
 */
const resourceLimits = { maxYoungGenerationSizeMb: 8 };

export function spawnWorker(name: string, workerData: unknown, transferList: Transferable[] = []): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSource) return new Worker(url, { workerData, transferList, resourceLimits });
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then(({ tsImport }) => tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(code, { eval: true, workerData, transferList, resourceLimits });
}
