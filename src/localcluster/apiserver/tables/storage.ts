/** Table columns of volumes and storage kinds (PVs, PVCs, StorageClasses, VolumeAttachments, CSI objects). */
import { asArray, asRecord, asString, at } from '../json.js';
import { isDefaultStorageClass } from '../../../kube/annotations.js';
import type { KubeObject, TableSpec } from '../types.js';
import { column, nameAgeTable } from './columns.js';

const ACCESS_MODES: Record<string, string> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};

function accessModes(modes: unknown): string {
  return asArray(modes)
    .map((m) => ACCESS_MODES[String(m)] ?? String(m))
    .join(',');
}

const ATTRIBUTES_CLASS = column('VolumeAttributesClass', 'string', 'The name of the VolumeAttributesClass.');
const VOLUME_MODE = {
  columns: [column('VolumeMode', 'string', 'The volume mode.', 1)],
  cells: (obj: KubeObject) => [asString(at(obj, 'spec', 'volumeMode')) ?? 'Filesystem'],
};

export const persistentVolumeTable: TableSpec = nameAgeTable(
  [
    column('Capacity', 'string', 'The capacity of the volume.'),
    column('Access Modes', 'string', 'The access modes of the volume.'),
    column('Reclaim Policy', 'string', 'What happens to the volume when its claim is released.'),
    column('Status', 'string', 'The phase of the volume.'),
    column('Claim', 'string', 'The claim bound to the volume.'),
    column('StorageClass', 'string', 'The storage class of the volume.'),
    ATTRIBUTES_CLASS,
    column('Reason', 'string', 'Why the volume is in this phase.'),
  ],
  (pv) => {
    const spec = asRecord(pv['spec']);
    const claim = asRecord(spec['claimRef']);
    const claimName = asString(claim['name']);
    return [
      asString(at(spec, 'capacity', 'storage')) ?? '',
      accessModes(spec['accessModes']),
      asString(spec['persistentVolumeReclaimPolicy']) ?? '',
      asString(at(pv, 'status', 'phase')) ?? '',
      claimName === undefined ? '' : `${asString(claim['namespace']) ?? ''}/${claimName}`,
      asString(spec['storageClassName']) ?? '',
      asString(spec['volumeAttributesClassName']) ?? '<unset>',
      asString(at(pv, 'status', 'reason')) ?? '',
    ];
  },
  VOLUME_MODE,
);

export const persistentVolumeClaimTable: TableSpec = nameAgeTable(
  [
    column('Status', 'string', 'The phase of the claim.'),
    column('Volume', 'string', 'The volume bound to the claim.'),
    column('Capacity', 'string', 'The capacity of the bound volume.'),
    column('Access Modes', 'string', 'The access modes of the bound volume.'),
    column('StorageClass', 'string', 'The storage class of the claim.'),
    ATTRIBUTES_CLASS,
  ],
  (pvc) => {
    const spec = asRecord(pvc['spec']);
    const status = asRecord(pvc['status']);
    return [
      asString(status['phase']) ?? '',
      asString(spec['volumeName']) ?? '',
      asString(at(status, 'capacity', 'storage')) ?? '',
      accessModes(status['accessModes']),
      asString(spec['storageClassName']) ?? '',
      asString(spec['volumeAttributesClassName']) ?? '<unset>',
    ];
  },
  VOLUME_MODE,
);

const storageClassColumns = nameAgeTable(
  [
    column('Provisioner', 'string', 'Indicates the type of the provisioner.'),
    column('ReclaimPolicy', 'string', 'Indicates the type of the reclaim policy.'),
    column('VolumeBindingMode', 'string', 'Indicates how PersistentVolumeClaims should be bound.'),
    column('AllowVolumeExpansion', 'string', 'Indicates whether the storage class allows volume expansion.'),
  ],
  (sc) => [
    asString(sc['provisioner']) ?? '',
    asString(sc['reclaimPolicy']) ?? 'Delete',
    asString(sc['volumeBindingMode']) ?? 'Immediate',
    String(sc['allowVolumeExpansion'] === true),
  ],
);

/** The default class is marked in the Name column, as kubectl shows it. */
export const storageClassTable: TableSpec = {
  columns: storageClassColumns.columns,
  cells: (sc, now) => {
    const [name, ...rest] = storageClassColumns.cells(sc, now);
    return [isDefaultStorageClass(sc) ? `${String(name)} (default)` : (name ?? ''), ...rest];
  },
};

export const volumeAttachmentTable: TableSpec = nameAgeTable(
  [
    column('Attacher', 'string', 'Attacher indicates the name of the volume driver.'),
    column('PV', 'string', 'Name of the persistent volume to attach.'),
    column('Node', 'string', 'The node the volume is attached to.'),
    column('Attached', 'boolean', 'Whether the volume is attached.'),
  ],
  (va) => [
    asString(at(va, 'spec', 'attacher')) ?? '',
    asString(at(va, 'spec', 'source', 'persistentVolumeName')) ?? '',
    asString(at(va, 'spec', 'nodeName')) ?? '',
    at(va, 'status', 'attached') === true,
  ],
);

export const csiDriverTable: TableSpec = nameAgeTable(
  [
    column('AttachRequired', 'boolean', 'Whether the driver needs an attach operation.'),
    column('PodInfoOnMount', 'boolean', 'Whether pod information is passed on mount.'),
    column('Modes', 'string', 'Volume lifecycle modes the driver supports.'),
  ],
  (driver) => {
    const spec = asRecord(driver['spec']);
    const modes = asArray(spec['volumeLifecycleModes']).map(String);
    return [spec['attachRequired'] !== false, spec['podInfoOnMount'] === true, modes.length === 0 ? 'Persistent' : modes.join(',')];
  },
);

export const csiNodeTable: TableSpec = nameAgeTable([column('Drivers', 'integer', 'The number of CSI drivers on the node.')], (node) => [
  asArray(at(node, 'spec', 'drivers')).length,
]);
