/**
 * Kubernetes Events as a kubelet or a CSI sidecar records them (`kubectl describe` shows them): core/v1 Events
 * named `<object>.<hex>`, and a repeat of the same reason and message on the same object bumps `count` and
 * `lastTimestamp` instead of creating another one. Recording never fails the caller.
 */
import { randomBytes } from 'node:crypto';
import { PatchStrategy, type KubernetesObjectApi } from '@kubernetes/client-node';
import type { Logger } from '../../util/log.js';
import { timestamp } from './api.js';

export interface EventSubject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string | undefined; namespace?: string | undefined; uid?: string | undefined; resourceVersion?: string | undefined } | undefined;
}

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  record(subject: EventSubject, type: EventType, reason: string, message: string): void;
}

interface EventObject {
  apiVersion: 'v1';
  kind: 'Event';
  metadata: { name: string; namespace: string };
  involvedObject?: Record<string, string>;
  type?: EventType;
  reason?: string;
  message?: string;
  source?: { component: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
  count: number;
  firstTimestamp?: string;
  lastTimestamp: string;
}

/** Enough to aggregate the repeats of a crash loop or a retrying provisioner without growing forever. */
const MAX_REMEMBERED = 1000;

function definedOnly(fields: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined));
}

export function eventRecorder(objects: KubernetesObjectApi, opts: { component: string; host?: string; logger: Logger }): EventRecorder {
  const { component, host, logger } = opts;
  const seen = new Map<string, { name: string; namespace: string; count: number }>();

  const write = async (subject: EventSubject, type: EventType, reason: string, message: string): Promise<void> => {
    const meta = subject.metadata;
    const namespace = meta?.namespace ?? 'default';
    const key = `${meta?.uid ?? ''}\n${reason}\n${message}`;
    const now = timestamp();
    const previous = seen.get(key);
    if (previous !== undefined) {
      previous.count += 1;
      const bump: EventObject = { apiVersion: 'v1', kind: 'Event', metadata: { name: previous.name, namespace: previous.namespace }, count: previous.count, lastTimestamp: now };
      await objects.patch(bump, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch);
      return;
    }
    const name = `${meta?.name ?? 'object'}.${randomBytes(8).toString('hex')}`;
    const event: EventObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: definedOnly({ apiVersion: subject.apiVersion, kind: subject.kind, name: meta?.name, namespace: meta?.namespace, uid: meta?.uid, resourceVersion: meta?.resourceVersion }),
      type,
      reason,
      message,
      source: host === undefined ? { component } : { component, host },
      reportingComponent: component,
      reportingInstance: host ?? component,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
    };
    await objects.create(event);
    if (seen.size >= MAX_REMEMBERED) seen.clear();
    seen.set(key, { name, namespace, count: 1 });
  };

  return {
    record(subject, type, reason, message) {
      // The same story in the component's log, which is what `ferry demo -v` and `ferry local up` show.
      const meta = subject.metadata;
      logger.info({ event: reason, type, object: `${subject.kind}/${meta?.namespace === undefined ? '' : `${meta.namespace}/`}${meta?.name ?? ''}` }, message);
      write(subject, type, reason, message).catch((err: unknown) => {
        logger.debug({ reason, err: err instanceof Error ? err.message : String(err) }, 'could not record event');
      });
    },
  };
}
