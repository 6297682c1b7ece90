/** Output of `ferry backup`: the table of `get`, the report of `describe`, and the live progress of `create --wait`. */
import cliProgress from 'cli-progress';
import { followMovement, type FollowedMovement, type FollowOptions } from '../datamover/follow.js';
import { isProvisioningWait } from '../exposer/pod-state.js';
import { isReadyNodeAgent } from '../exposer/node-agents.js';
import type { KubeClient } from '../kube/client.js';
import type { DataDownload, DataUpload } from '../kube/crds.js';
import { isNotFound } from '../kube/errors.js';
import type { Pod } from '../kube/models.js';
import { R, type ResourceType } from '../kube/resources.js';
import { secondsBetween, toMillis } from '../kube/time.js';
import { BACKUP_NAME_LABEL, DEFAULT_DATA_MOVER, NODE_AGENT_CONTAINER, NODE_AGENT_DAEMONSET, nodeAgentFlag } from '../kube/velero.js';
import { errorMessage, FerryError } from '../util/errors.js';
import { formatBytes } from './repo-output.js';

export interface BackupSummary extends MovementSummary {
  snapshots: string[];
  dataUploads: string[];
}

const FINAL = new Set(['Completed', 'Failed', 'Canceled']);

/** kubectl's AGE: `45s`, `12m`, `3h`, `5d`. */
export function formatAge(created: string | undefined, now = Date.now()): string {
  const ms = toMillis(created);
  if (ms === undefined) return '<unknown>';
  const s = Math.max(0, Math.floor((now - ms) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** Either kind of data movement, for the parts of the output restores share. */
type Movement = DataUpload | DataDownload;

export function phaseOf(obj: Movement): string {
  return obj.status?.phase ?? 'New';
}

/** The phase of a group of data movements: the shared one, or the least advanced one with a count of the completed. */
function combinedPhase(phases: readonly string[]): string {
  const unique = [...new Set(phases)];
  if (unique.length === 1) return unique[0] ?? 'New';
  const failed = phases.find((p) => p === 'Failed' || p === 'Canceled');
  const running = phases.find((p) => !FINAL.has(p));
  return `${running ?? failed ?? 'Completed'} (${phases.filter((p) => p === 'Completed').length}/${phases.length} completed)`;
}

/** What a backup and a restore summary have in common, from its data movements. */
export interface MovementSummary {
  name: string;
  /** Shared, or the least advanced one with a count of the completed. */
  phase: string;
  nodes: string[];
  totalBytes: number;
  /** The earliest creation time. */
  created: string | undefined;
}

export function summarizeMovements(name: string, items: readonly Movement[]): MovementSummary {
  return {
    name,
    phase: combinedPhase(items.map(phaseOf)),
    nodes: [...new Set(items.map((m) => m.status?.node ?? '').filter((n) => n !== ''))],
    totalBytes: items.reduce((sum, m) => sum + (m.status?.progress?.totalBytes ?? 0), 0),
    created: items.map((m) => m.metadata.creationTimestamp as unknown as string | undefined).sort()[0],
  };
}

/**
 * Data movements grouped by the backup or restore they belong to (the value of `label`), each summarized with what
 * all movements share plus `extra`, oldest first.
 */
export function groupMovements<T extends Movement, S>(items: readonly T[], label: string, extra: (items: readonly T[]) => S): (MovementSummary & S)[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = item.metadata.labels?.[label] ?? '';
    groups.set(name, [...(groups.get(name) ?? []), item]);
  }
  return [...groups]
    .map(([name, list]) => ({ ...summarizeMovements(name, list), ...extra(list) }))
    .sort((a, b) => (a.created ?? '').localeCompare(b.created ?? '') || a.name.localeCompare(b.name));
}

export function groupByBackup(uploads: readonly DataUpload[]): BackupSummary[] {
  return groupMovements(uploads, BACKUP_NAME_LABEL, (list) => ({
    snapshots: list.map((du) => du.status?.snapshotID ?? '').filter((s) => s !== ''),
    dataUploads: list.map((du) => du.metadata.name ?? ''),
  }));
}

export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('   ').trimEnd()).join('\n');
}

export function formatBackupTable(backups: readonly BackupSummary[], now = Date.now()): string {
  const rows = [['NAME', 'PHASE', 'NODE', 'BYTES', 'SNAPSHOT', 'AGE']];
  for (const b of backups) {
    rows.push([
      b.name,
      b.phase,
      b.nodes.join(',') || '<none>',
      b.totalBytes === 0 ? '-' : formatBytes(b.totalBytes),
      b.snapshots.map((s) => s.slice(0, 8)).join(',') || '<none>',
      formatAge(b.created, now),
    ]);
  }
  return `${table(rows)}\n`;
}

export function line(label: string, value: string | undefined): string[] {
  return value === undefined || value === '' ? [] : [`    ${`${label}:`.padEnd(20)}${value}`];
}

/** When a data movement ended, labelled with how (`Completed:`, `Failed:`, `Canceled:`), and how long it took. */
export function ended(obj: Movement): string[] {
  const s = obj.status ?? {};
  return line(FINAL.has(phaseOf(obj)) ? phaseOf(obj) : 'Ended', timeWithDuration(s.completionTimestamp, s.startTimestamp ?? s.acceptedTimestamp));
}

function timeWithDuration(at: string | null | undefined, from: string | null | undefined): string | undefined {
  if (at === undefined || at === null || at === '') return undefined;
  const took = secondsBetween(from, at);
  return took === undefined ? at : `${at} (after ${took})`;
}

/** Everything about a backup's DataUploads a person needs to follow or debug it. */
export function formatDescribe(name: string, namespace: string, uploads: readonly DataUpload[]): string {
  const summary = summarizeMovements(name, uploads);
  const lines = [`Name:        ${name}`, `Namespace:   ${namespace}`, `Phase:       ${summary.phase}`, `Created:     ${summary.created ?? '<unknown>'}`, 'DataUploads:'];
  for (const du of uploads) {
    const s = du.status ?? {};
    const progress = s.progress?.totalBytes === undefined ? undefined : `${formatBytes(s.progress.bytesDone ?? 0)} of ${formatBytes(s.progress.totalBytes)}`;
    lines.push(
      `  ${du.metadata.name ?? ''}:`,
      ...line('Phase', phaseOf(du)),
      ...line('Source PVC', `${du.spec.sourceNamespace}/${du.spec.sourcePVC}${du.spec.csiSnapshot?.storageClass ? ` (storage class ${du.spec.csiSnapshot.storageClass})` : ''}`),
      ...line('Volume snapshot', du.spec.csiSnapshot === undefined || du.spec.csiSnapshot === null ? undefined : `${du.spec.sourceNamespace}/${du.spec.csiSnapshot.volumeSnapshot}`),
      ...line('Storage location', du.spec.backupStorageLocation),
      ...line('Data mover', du.spec.datamover ?? 'velero'),
      ...line('Accepted by', s.acceptedByNode === undefined ? undefined : `${s.acceptedByNode}${s.acceptedTimestamp ? ` at ${s.acceptedTimestamp}` : ''}`),
      ...line('Node', s.node),
      ...line('Started', s.startTimestamp ?? undefined),
      ...ended(du),
      ...line('Progress', progress),
      ...line('Incremental', s.incrementalBytes === undefined ? undefined : formatBytes(s.incrementalBytes)),
      ...line('Snapshot ID', s.snapshotID),
      ...line('Path', s.path),
      ...line('Message', s.message),
      ...line('Cancel requested', du.spec.cancel === true ? 'yes' : undefined),
    );
  }
  return `${lines.join('\n')}\n`;
}

export interface WaitDisplay {
  show(obj: Movement): void;
  /** A line of its own between the updates (a warning). */
  note(text: string): void;
  stop(): void;
}

function describeState(du: Movement): string {
  const s = du.status ?? {};
  const phase = phaseOf(du);
  const where = s.node ?? (s.acceptedByNode === undefined ? '' : `claimed by the node-agent on ${s.acceptedByNode}`);
  return `${phase}${where === '' ? '' : s.node === undefined ? ` (${where})` : ` on ${where}`}`;
}

/**
 * Progress of a running backup or restore: a bar on a terminal (unless `bar` is false, when other output shares the
 * stream); otherwise a line per change of phase or message, and progress every 2 s.
 */
export function waitDisplay(stream: NodeJS.WriteStream = process.stderr, bar = stream.isTTY): WaitDisplay {
  if (bar) {
    const bar = new cliProgress.SingleBar(
      { format: '{state} [{bar}] {percentage}% | {bytesDone} of {bytesTotal} {message}', stream, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(1, 0, { state: 'New', bytesDone: '0 B', bytesTotal: '?', message: '' });
    return {
      show(du) {
        const total = du.status?.progress?.totalBytes ?? 0;
        const done = du.status?.progress?.bytesDone ?? 0;
        bar.setTotal(Math.max(total, done, 1));
        const message = du.status?.message ?? '';
        bar.update(done, { state: describeState(du), bytesDone: formatBytes(done), bytesTotal: total === 0 ? '?' : formatBytes(total), message: message === '' ? '' : `| ${message.slice(0, 120)}` });
      },
      note(text) {
        // Below the bar as drawn so far; the next update draws it again under the note.
        stream.write(`\n${text}\n`);
      },
      stop: () => {
        bar.stop();
      },
    };
  }
  let lastState = '';
  let lastMessage = '';
  let lastProgressAt = 0;
  let lastDone = -1;
  return {
    show(du) {
      const state = describeState(du);
      if (state !== lastState) stream.write(`${state}\n`);
      lastState = state;
      const message = du.status?.message ?? '';
      if (message !== '' && message !== lastMessage) stream.write(`  ${message}\n`);
      lastMessage = message;
      const p = du.status?.progress;
      if (phaseOf(du) === 'InProgress' && p?.totalBytes !== undefined && p.totalBytes > 0 && p.bytesDone !== lastDone && Date.now() - lastProgressAt >= 2000) {
        const pct = Math.floor(((p.bytesDone ?? 0) / p.totalBytes) * 100);
        stream.write(`  ${formatBytes(p.bytesDone ?? 0)} of ${formatBytes(p.totalBytes)} (${pct}%)\n`);
        lastProgressAt = Date.now();
        lastDone = p.bytesDone ?? 0;
      }
    },
    note(text) {
      stream.write(`${text}\n`);
    },
    stop: () => undefined,
  };
}

/** The closing line of `create --wait`. */
export function formatResult(name: string, du: DataUpload): string {
  const s = du.status ?? {};
  const seconds = secondsBetween(s.startTimestamp, s.completionTimestamp);
  const took = seconds === undefined ? '' : ` in ${seconds}`;
  const bytes = s.progress?.totalBytes === undefined ? '' : `, ${formatBytes(s.progress.totalBytes)} (${formatBytes(s.incrementalBytes ?? 0)} new)`;
  return `Backup ${name} ${phaseOf(du)} on node ${s.node ?? '<none>'}: snapshot ${s.snapshotID ?? '<none>'}${bytes}${took} (DataUpload ${du.metadata.namespace ?? ''}/${du.metadata.name ?? ''})\n`;
}

/** How long a data movement may stay New before `create --wait` says why no node-agent may be claiming it. */
export const UNCLAIMED_WARNING_MS = 30_000;

/** The data mover a node-agent pod serves: its `--datamover-name`, else the default. */
function servedDataMover(pod: Pod): string {
  const args = pod.spec?.containers.find((c) => c.name === NODE_AGENT_CONTAINER)?.args ?? pod.spec?.containers[0]?.args ?? [];
  return nodeAgentFlag(args, '--datamover-name') ?? DEFAULT_DATA_MOVER;
}

/**
 * Why no node-agent may have claimed a data movement still New: none is Ready in its namespace, none serves its
 * data mover, or (when they do) where to look next; each with the command that shows it.
 */
export async function unclaimedReason(kube: KubeClient, obj: Movement): Promise<string> {
  const namespace = obj.metadata.namespace ?? '';
  const what = `${obj.kind} ${namespace}/${obj.metadata.name ?? ''} is still New: no node-agent has claimed it`;
  const selector = `name=${NODE_AGENT_DAEMONSET}`;
  const pods = (await kube.list<Pod>(R.pods, namespace, { labelSelector: selector })).items.filter(isReadyNodeAgent);
  if (pods.length === 0) {
    return `${what}, and there is no Ready node-agent pod in namespace ${namespace} (check with \`kubectl get pods -n ${namespace} -l ${selector}\`; \`ferry install\` deploys them)`;
  }
  const wanted = obj.spec.datamover ?? 'velero';
  const served = [...new Set(pods.map(servedDataMover))].sort();
  if (!served.includes(wanted)) {
    return `${what}: no node-agent serves data mover "${wanted}" (the ${pods.length} Ready in namespace ${namespace} serve ${served.map((d) => `"${d}"`).join(', ')}; check with \`kubectl get ds ${NODE_AGENT_DAEMONSET} -n ${namespace} -o jsonpath='{.spec.template.spec.containers[0].args}'\`), so it waits for one that does`;
  }
  return `${what} although ${pods.length} Ready node-agents serve data mover "${wanted}" (check their logs with \`kubectl logs -n ${namespace} -l ${selector} --prefix\`)`;
}

export interface FollowWithProgressOptions<T> extends Omit<FollowOptions<T>, 'onUpdate'> {
  /** After how long in New the warning of `unclaimedReason` is printed, once; default `UNCLAIMED_WARNING_MS`. */
  unclaimedWarningMs?: number;
  /** Where the progress goes; default stderr. */
  stream?: NodeJS.WriteStream;
  /** A bar (default: when `stream` is a terminal), or plain lines, which other output on the stream cannot garble. */
  bar?: boolean;
}

/**
 * `followMovement` with the progress display of `create --wait` (a bar on a terminal, plain lines otherwise), and a
 * warning, once, when nothing claims the movement for a while (it keeps waiting: a node-agent may still come). The
 * movement deleted meanwhile ends it with a `Canceled` FerryError saying so.
 */
export async function followWithProgress<T extends Movement>(kube: KubeClient, resource: ResourceType, options: FollowWithProgressOptions<T>): Promise<FollowedMovement<T>> {
  const { unclaimedWarningMs = UNCLAIMED_WARNING_MS, stream = process.stderr, bar, ...follow } = options;
  const display = waitDisplay(stream, bar);
  let newSince: number | undefined;
  let warning: Promise<void> | undefined;
  let stuckNoted = false;
  try {
    return await followMovement<T>(kube, resource, {
      ...follow,
      onUpdate: (current) => {
        display.show(current);
        const message = current.status?.message ?? '';
        // Said once when the node-agent reports a problem (not a PVC still being provisioned, which is normal).
        if (!stuckNoted && phaseOf(current) === 'Accepted' && message !== '' && !isProvisioningWait(message)) {
          stuckNoted = true;
          display.note(
            `note: still waiting; unless this is resolved, the node-agent fails it at its prepare timeout (--data-mover-prepare-timeout, 30m by default). Ctrl-C stops waiting and leaves it running; spec.cancel: true on the ${current.kind} cancels it`,
          );
        }
        if (phaseOf(current) !== 'New') return;
        newSince ??= Date.now();
        if (warning === undefined && Date.now() - newSince >= unclaimedWarningMs) {
          warning = unclaimedReason(kube, current).then(
            (text) => {
              display.note(`warning: ${text}`);
            },
            (err: unknown) => {
              display.note(`warning: ${current.kind} ${follow.namespace}/${follow.name} is still New: no node-agent has claimed it (${errorMessage(err)})`);
            },
          );
        }
      },
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    const what = resource.kind === R.dataUploads.kind ? 'the backup' : 'the restore of its volume';
    throw new FerryError('Canceled', `${resource.kind} ${follow.namespace}/${follow.name} was deleted while waiting for it: ${what} is canceled`, { cause: err });
  } finally {
    await warning;
    display.stop();
  }
}

export interface FollowBackupOptions {
  /** The backup's name, for the message and the hint. */
  backup: string;
  /** The install namespace, where the DataUpload is. */
  namespace: string;
  dataUpload: string;
  volumeSnapshot: { namespace: string; name: string };
  startedAt?: number;
  signal?: AbortSignal;
  bar?: boolean;
}

/**
 * `ferry backup create --wait` after the request: follows the DataUpload to its end with progress, then deletes the
 * VolumeSnapshot (as Velero's CSI plugin does once the data is moved), and fails unless the backup completed. When
 * `signal` stops the following, the backup goes on, so its VolumeSnapshot stays.
 */
export async function followBackup(kube: KubeClient, { backup, namespace, dataUpload, volumeSnapshot, startedAt, signal, bar }: FollowBackupOptions): Promise<FollowedMovement<DataUpload>> {
  let followed: FollowedMovement<DataUpload>;
  try {
    followed = await followWithProgress<DataUpload>(kube, R.dataUploads, {
      namespace,
      name: dataUpload,
      ...(startedAt === undefined ? {} : { startedAt }),
      ...(signal === undefined ? {} : { signal }),
      ...(bar === undefined ? {} : { bar }),
    });
  } finally {
    if (signal?.aborted !== true) await kube.delete(R.volumeSnapshots, volumeSnapshot);
  }
  const status = followed.final.status;
  if (status?.phase !== 'Completed') {
    throw new FerryError('Internal', `backup ${backup} ${(status?.phase ?? '').toLowerCase()}${status?.node === undefined ? '' : ` on node ${status.node}`}: ${status?.message ?? 'no message'}`, {
      hint: `ferry backup describe ${backup} -n ${namespace}`,
    });
  }
  return followed;
}
