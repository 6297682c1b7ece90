/** Output of `ferry restore`: the table of `get`, the report of `describe`, and the closing line of `create --wait`. */
import type { DataDownload } from '../kube/crds.js';
import { RESTORE_NAME_LABEL } from '../datamover/restore-request.js';
import { ended, formatAge, groupMovements, line, phaseOf, summarizeMovements, table, type MovementSummary } from './backup-output.js';
import { formatBytes } from './repo-output.js';
import { secondsBetween } from '../kube/time.js';

export interface RestoreSummary extends MovementSummary {
  targets: string[];
  dataDownloads: string[];
}

export function groupByRestore(downloads: readonly DataDownload[]): RestoreSummary[] {
  return groupMovements(downloads, RESTORE_NAME_LABEL, (list) => ({
    targets: list.map((dd) => `${dd.spec.targetVolume.namespace}/${dd.spec.targetVolume.pvc}`),
    dataDownloads: list.map((dd) => dd.metadata.name ?? ''),
  }));
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
  const summary = summarizeMovements(name, downloads);
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
      ...ended(dd),
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
  const seconds = secondsBetween(s.startTimestamp, s.completionTimestamp);
  const took = seconds === undefined ? '' : ` in ${seconds}`;
  const bytes = s.progress?.totalBytes === undefined ? '' : `, ${formatBytes(s.progress.totalBytes)}`;
  const where = s.node === undefined ? ', never placed on a node' : ` on node ${s.node}`;
  return `PVC ${dd.spec.targetVolume.namespace}/${dd.spec.targetVolume.pvc} ${phaseOf(dd)}${where}${bytes}${took} (DataDownload ${dd.metadata.namespace ?? ''}/${dd.metadata.name ?? ''})\n`;
}
