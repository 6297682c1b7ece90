/** What the in-process controllers share: the API's operations, a work queue, and a hook the store feeds every change to. */
import type { OpsContext } from '../ops/common.js';
import type { StoreEvent } from '../types.js';
import type { WorkQueue } from './queue.js';

export abstract class Controller {
  protected readonly ctx: OpsContext;
  protected readonly queue: WorkQueue;

  constructor(ctx: OpsContext, queue: WorkQueue) {
    this.ctx = ctx;
    this.queue = queue;
  }

  /** Called synchronously for every store change; heavy work goes through the queue. */
  abstract observe(event: StoreEvent): void;
}
