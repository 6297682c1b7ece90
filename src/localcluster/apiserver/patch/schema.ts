/**
 * The strategic-merge metadata of the kinds the local cluster serves: for each field whose Go type carries
 * `patchStrategy`/`patchMergeKey` tags in k8s.io/api, how its list merges. Fields not listed behave like untagged
 * Go fields: objects merge key by key, lists are replaced whole (tolerations, args, command, taints…).
 */

export interface FieldPatchMeta {
  /** `merge`: lists merge element by element (by `mergeKey` for objects, as a set for scalars). */
  readonly strategy?: 'merge';
  readonly mergeKey?: string;
  /** The type of the field's value, or of its elements for a list. */
  readonly schema?: PatchSchema;
}

export interface PatchSchema {
  readonly [field: string]: FieldPatchMeta;
}

const byName = { strategy: 'merge', mergeKey: 'name' } as const;
const byType = { strategy: 'merge', mergeKey: 'type' } as const;
const byIp = { strategy: 'merge', mergeKey: 'ip' } as const;
const conditionStatus: PatchSchema = { conditions: byType };

const objectMeta: PatchSchema = {
  ownerReferences: { strategy: 'merge', mergeKey: 'uid' },
  finalizers: { strategy: 'merge' },
};

const container: PatchSchema = {
  ports: { strategy: 'merge', mergeKey: 'containerPort' },
  env: byName,
  volumeMounts: { strategy: 'merge', mergeKey: 'mountPath' },
  volumeDevices: { strategy: 'merge', mergeKey: 'devicePath' },
};

const podSpec: PatchSchema = {
  // volumes and resourceClaims are also tagged retainKeys; `$retainKeys` is honoured wherever it appears.
  volumes: byName,
  initContainers: { ...byName, schema: container },
  containers: { ...byName, schema: container },
  ephemeralContainers: { ...byName, schema: container },
  imagePullSecrets: byName,
  hostAliases: byIp,
  topologySpreadConstraints: { strategy: 'merge', mergeKey: 'topologyKey' },
  schedulingGates: byName,
  resourceClaims: byName,
};

const podTemplateSpec: PatchSchema = {
  metadata: { schema: objectMeta },
  spec: { schema: podSpec },
};

function kind(spec?: PatchSchema, status?: PatchSchema): PatchSchema {
  return {
    metadata: { schema: objectMeta },
    ...(spec === undefined ? {} : { spec: { schema: spec } }),
    ...(status === undefined ? {} : { status: { schema: status } }),
  };
}

const plain = kind();

/** Keyed by `group/version/Kind` (core group: `/v1/Kind`). */
const KINDS: ReadonlyMap<string, PatchSchema> = new Map<string, PatchSchema>([
  [
    '/v1/Pod',
    kind(podSpec, { ...conditionStatus, podIPs: byIp, hostIPs: byIp, resourceClaimStatuses: byName }),
  ],
  ['/v1/Node', kind({ podCIDRs: { strategy: 'merge' } }, { ...conditionStatus, addresses: byType })],
  ['/v1/ConfigMap', plain],
  ['/v1/Secret', plain],
  ['/v1/Service', kind({ ports: { strategy: 'merge', mergeKey: 'port' } }, conditionStatus)],
  ['/v1/ServiceAccount', { ...plain, secrets: byName }],
  ['/v1/Namespace', kind({}, conditionStatus)],
  ['/v1/Event', plain],
  ['/v1/PersistentVolume', plain],
  ['/v1/PersistentVolumeClaim', kind({}, conditionStatus)],
  ['apps/v1/DaemonSet', kind({ template: { schema: podTemplateSpec } }, conditionStatus)],
  ['apps/v1/Deployment', kind({ template: { schema: podTemplateSpec } }, conditionStatus)],
  ['events.k8s.io/v1/Event', plain],
  ['storage.k8s.io/v1/StorageClass', plain],
  ['storage.k8s.io/v1/VolumeAttachment', plain],
  ['storage.k8s.io/v1/CSIDriver', plain],
  ['storage.k8s.io/v1/CSINode', kind({ drivers: byName })],
  ['coordination.k8s.io/v1/Lease', plain],
  ['rbac.authorization.k8s.io/v1/Role', plain],
  ['rbac.authorization.k8s.io/v1/ClusterRole', plain],
  ['rbac.authorization.k8s.io/v1/RoleBinding', plain],
  ['rbac.authorization.k8s.io/v1/ClusterRoleBinding', plain],
  ['scheduling.k8s.io/v1/PriorityClass', plain],
  // CRD objects themselves are a built-in type; only the custom resources they define have no patch metadata.
  ['apiextensions.k8s.io/v1/CustomResourceDefinition', plain],
]);

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** The patch metadata of a built-in kind, `undefined` for kinds without Go types (custom resources). */
export function schemaFor(gvk: GroupVersionKind): PatchSchema | undefined {
  return KINDS.get(`${gvk.group}/${gvk.version}/${gvk.kind}`);
}
