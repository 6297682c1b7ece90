/** Output of `ferry restore`: the table of `get`, the report of `describe`, and the closing line of `create --wait`. */
import type { DataDownload } from '../kube/crds.js';
import { RESTORE_NAME_LABEL } from '../datamover/restore-request.js';
import { combinedPhase, formatAge, line, phaseOf, table, timeWithDuration } from './backup-output.js';
import { formatBytes, formatSeconds } from './repo-output.js';
import { toMillis } from '../kube/time.js';

export interface RestoreSummary {
  name: string;
  phase: string;
  nodes: string[];
  totalBytes: number;
  targets: string[];
  created: string | undefined;
  dataDownloads: string[];
}

/** One restore from its DataDownloads: the shared phase, or the least advanced one with a count of the completed. */
export function summarizeRestore(name: string, downloads: readonly DataDownload[]): RestoreSummary {
  return {
    name,
    phase: combinedPhase(downloads.map(phaseOf)),
    nodes: [...new Set(downloads.map((dd) => dd.status?.node ?? '').filter((n) => n !== ''))],
    totalBytes: downloads.reduce((sum, dd) => sum + (dd.status?.progress?.totalBytes ?? 0), 0),
    targets: downloads.map((dd) => `${dd.spec.targetVolume.namespace}/${dd.spec.targetVolume.pvc}`),
    created: downloads.map((dd) => dd.metadata.creationTimestamp as unknown as string | undefined).sort()[0],
    dataDownloads: downloads.map((dd) => dd.metadata.name ?? ''),
  };
}

export function groupByRestore(downloads: readonly DataDownload[]): RestoreSummary[] {
  const groups = new Map<string, DataDownload[]>();
  for (const dd of downloads) {
    const name = dd.metadata.labels?.[RESTORE_NAME_LABEL] ?? '';
    groups.set(name, [...(groups.get(name) ?? []), dd]);
  }
  return [...groups].map(([name, list]) => summarizeRestore(name, list)).sort((a, b) => (a.created ?? '').localeCompare(b.created ?? '') || a.name.localeCompare(b.name));
}

export function formatRestoreTable(restores: readonly RestoreSummary[], now = Date.now()): string {
  const rows = [['NAME', 'PHASE', 'NODE', 'BYTES', 'TARGETS', 'AGE']];
  for (const r of restores) {
    rows.push([r.name, r.phase, r.nodes.join(',') || '<none>', r.totalBytes === 0 ? '-' : formatBytes(r.totalBytes), r.targets.join(','), formatAge(r.created, now)]);
  }
  return `${table(rows)}\n`;
}

/** Everything about a restore's DataDownloads a person needs to follow or debug it. */
export function formatRestoreDescribe(name: string, namespace: string, downloads: readonly DataDownload[]): string {
  const summary = summarizeRestore(name, downloads);
  const lines = [`Name:        ${name}`, `Namespace:   ${namespace}`, `Phase:       ${summary.phase}`, `Created:     ${summary.created ?? '<unknown>'}`, 'DataDownloads:'];
  for (const dd of downloads) {
    const s = dd.status ?? {};
    const progress = s.progress?.totalBytes === undefined ? undefined : `${formatBytes(s.progress.bytesDone ?? 0)} of ${formatBytes(s.progress.totalBytes)}`;
    lines.push(
      `  ${dd.metadata.name ?? ''}:`,
      ...line('Phase', phaseOf(dd)),
      ...line('Target PVC', `${dd.spec.targetVolume.namespace}/${dd.spec.targetVolume.pvc}`),
      ...line('Snapshot ID', dd.spec.snapshotID),
      ...line('Source namespace', dd.spec.sourceNamespace),
      ...line('Storage location', dd.spec.backupStorageLocation),
      ...line('Data mover', dd.spec.datamover ?? 'velero'),
      ...line('Accepted by', s.acceptedByNode === undefined ? undefined : `${s.acceptedByNode}${s.acceptedTimestamp ? ` at ${s.acceptedTimestamp}` : ''}`),
      ...line('Node', s.node),
      ...line('Started', s.startTimestamp ?? undefined),
      ...line('Completed', timeWithDuration(s.completionTimestamp, s.startTimestamp ?? s.acceptedTimestamp)),
      ...line('Progress', progress),
      ...line('Message', s.message),
      ...line('Cancel requested', dd.spec.cancel === true ? 'yes' : undefined),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The closing line of `create --wait`, one per DataDownload. */
export function formatRestoreResult(dd: DataDownload): string {
  const s = dd.status ?? {};
  const started = toMillis(s.startTimestamp);
  const ended = toMillis(s.completionTimestamp);
  const took = started === undefined || ended === undefined ? '' : ` in ${formatSeconds(ended - started)}`;
  const bytes = s.progress?.totalBytes === undefined ? '' : `, ${formatBytes(s.progress.totalBytes)}`;
  return `PVC ${dd.spec.targetVolume.namespace}/${dd.spec.targetVolume.pvc} ${phaseOf(dd)} on node ${s.node ?? '<none>'}${bytes}${took} (DataDownload ${dd.metadata.namespace ?? ''}/${dd.metadata.name ?? ''})\n`;
}
