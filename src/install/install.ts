import { formatIssues, issueCounts, parseConfigMap } from '../config/index.js';
import type { KubeClient } from '../kube/client.js';
import { veleroCrds } from '../kube/crds.js';
import type { ConfigMap, DaemonSet, ResourceRequirements, Secret, Toleration } from '../kube/models.js';
import { R, type ResourceType } from '../kube/resources.js';
import { isPodReady, notReadyReason } from '../kube/pod-status.js';
import { LOCAL_OBJECT_STORE, LOCAL_OBJECT_STORE_NAMESPACE, NODE_AGENT_DAEMONSET } from '../kube/velero.js';
import { pollUntil } from '../kube/wait.js';
import { FerryError } from '../util/errors.js';
import { createIfAbsent, createOrReplace, type ApplyAction, type Manifest } from './apply.js';
import { configHash } from './config-hash.js';
import { configMapArg, daemonSetPods } from './live-cluster.js';
import {
  clusterRoleBindingManifest,
  clusterRoleManifest,
  INSTALL_LABELS,
  localBackupStorageLocation,
  namespaceManifest,
  nodeAgentDaemonSet,
  repositorySecretManifest,
  roleBindingManifest,
  roleManifest,
  serviceAccountManifest,
  type LocalObjectStore,
} from './manifests.js';
import { backupStorageFromFlags, DEFAULT_LOCATION_NAME, defaultStorageLocation, type BackupStorageFlags } from './storage.js';

export interface InstallOptions {
  client: KubeClient;
  namespace: string;
  image: string;
  /**
   * The node-agent ConfigMap; `undefined` (flag not given) keeps the one the installed DaemonSet reads, so a re-run
   * to change something else does not drop it; `''` drops it.
   */
  nodeAgentConfigMap?: string | undefined;
  dataMoverName?: string | undefined;
  prepareTimeout?: string | undefined;
  resources?: ResourceRequirements | undefined;
  tolerations?: Toleration[] | undefined;
  /** Only Velero's CRDs (`velero install --crds-only`): nothing else is checked or applied. */
  crdsOnly?: boolean | undefined;
  /** `velero install`'s flags; used only when there is no default BackupStorageLocation yet. */
  storage?: BackupStorageFlags | undefined;
  /** Wait until the node-agent runs and is ready on every node it should run on. */
  wait: boolean;
  waitTimeoutMs: number;
  /** Progress and warnings, one line each, for people. */
  log: (line: string) => void;
  /** Called as each object is applied, before the wait for the node-agents, so output follows the work. */
  onStep?: (step: InstallStep) => void;
}

export interface InstallStep {
  kind: string;
  name: string;
  action: ApplyAction;
}

export interface InstallResult {
  steps: InstallStep[];
  /** Node-agent pods ready / nodes that should run one, when waited for. */
  nodeAgents?: { ready: number; desired: number };
}

interface Crd {
  metadata?: { name?: string };
  status?: { conditions?: { type: string; status: string }[] };
}

/**
 * Velero's install check: the ConfigMap must exist in the install namespace and be valid; its warnings are shown.
 * The messages speak to the person running install (the node-agent's own wording tells how to fix a running
 * node-agent, which does not exist yet).
 */
async function checkConfigMap(client: KubeClient, namespace: string, name: string, log: (line: string) => void): Promise<string | undefined> {
  const cm = await client.find<ConfigMap>(R.configMaps, { namespace, name });
  if (cm === undefined) {
    throw new FerryError('NotFound', `ConfigMap ${name} given to --node-agent-configmap does not exist in namespace ${namespace}; nothing was changed`, {
      hint: `create it first: kubectl create cm ${name} -n ${namespace} --from-file=<config.json> (or ferry config apply -f <config.json> --configmap ${name} -n ${namespace})`,
    });
  }
  const report = parseConfigMap(cm, name, { namespace });
  if (report.errors.length > 0) {
    throw new FerryError('ConfigInvalid', `ConfigMap ${namespace}/${name} given to --node-agent-configmap is invalid (${issueCounts(report)}); nothing was changed:\n${formatIssues(report).trimEnd()}`, {
      hint: `fix it and run ferry install again (kubectl get cm ${name} -n ${namespace} -o yaml > cm.yaml && ferry config validate cm.yaml checks an edit before you apply it)`,
    });
  }
  for (const { path, message } of report.warnings) log(`warning: ConfigMap ${namespace}/${name}: ${path}: ${message}`);
  const [value] = Object.values(cm.data ?? {});
  return value === undefined ? undefined : configHash(value);
}

/** The ConfigMap the node-agents will read: the flag's, else (flag not given) the one the installed DaemonSet reads. */
function nodeAgentConfigMap(given: string | undefined, installed: DaemonSet | undefined, log: (line: string) => void): string | undefined {
  if (given !== undefined) return given === '' ? undefined : given;
  const kept = configMapArg(installed);
  if (kept === undefined || kept === '') return undefined;
  log(`note: keeping --node-agent-configmap=${kept} from the running DaemonSet; pass --node-agent-configmap= to drop it`);
  return kept;
}

/** One object of the install, and how it is applied: `absent` ones are created only where missing (kept otherwise). */
export interface PlannedObject {
  resource: ResourceType;
  kind: string;
  name: string;
  mode: 'absent' | 'replace';
  /** `undefined`: an existing object is used as it is and nothing is written (a BackupStorageLocation made by others). */
  manifest: Manifest | undefined;
  exists: boolean;
}

/** On a local cluster (`ferry local up`), where its object store is recorded: that store; otherwise `undefined`. */
async function localObjectStore(client: KubeClient): Promise<LocalObjectStore | undefined> {
  const cm = await client.find<ConfigMap>(R.configMaps, { namespace: LOCAL_OBJECT_STORE_NAMESPACE, name: LOCAL_OBJECT_STORE });
  const data = cm?.data;
  if (data?.endpoint === undefined || data.bucket === undefined) return undefined;
  return { endpoint: data.endpoint, bucket: data.bucket, region: data.region ?? 'us-east-1', forcePathStyle: data.s3ForcePathStyle !== 'false' };
}

/** The credentials Secret and `default` BackupStorageLocation: from the flags, else the local object store, else none. */
async function backupStorage(client: KubeClient, namespace: string, flags: BackupStorageFlags | undefined, log: (line: string) => void): Promise<Manifest[]> {
  const fromFlags = await backupStorageFromFlags(namespace, flags ?? {});
  if (fromFlags !== undefined) return fromFlags.secret === undefined ? [fromFlags.location] : [fromFlags.secret, fromFlags.location];
  const store = await localObjectStore(client);
  if (store === undefined) {
    log(`note: there is no default BackupStorageLocation in namespace ${namespace}: create one (ferry install --provider aws --bucket …, or kubectl) before backing up`);
    return [];
  }
  log(`BackupStorageLocation "default" points at the local object store ${store.endpoint} (bucket ${store.bucket})`);
  const location = localBackupStorageLocation(namespace, store);
  if (namespace === LOCAL_OBJECT_STORE_NAMESPACE) return [location];
  // A BSL's credentials Secret must be in the BSL's namespace.
  const secret = await client.get<Secret>(R.secrets, { namespace: LOCAL_OBJECT_STORE_NAMESPACE, name: LOCAL_OBJECT_STORE });
  const copy: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: LOCAL_OBJECT_STORE, namespace, labels: { ...INSTALL_LABELS } }, type: secret.type ?? 'Opaque' };
  if (secret.data !== undefined) copy.data = secret.data;
  return [copy, location];
}

const RESOURCE_OF: Record<string, ResourceType> = {
  CustomResourceDefinition: R.customResourceDefinitions,
  Namespace: R.namespaces,
  ServiceAccount: R.serviceAccounts,
  ClusterRole: R.clusterRoles,
  ClusterRoleBinding: R.clusterRoleBindings,
  Role: R.roles,
  RoleBinding: R.roleBindings,
  Secret: R.secrets,
  BackupStorageLocation: R.backupStorageLocations,
  DaemonSet: R.daemonSets,
};

async function planned(client: KubeClient, manifest: Manifest & { kind?: string | undefined }, mode: PlannedObject['mode']): Promise<PlannedObject> {
  const kind = manifest.kind ?? '';
  const resource = RESOURCE_OF[kind];
  if (resource === undefined) throw new Error(`no resource for kind ${kind}`);
  const name = manifest.metadata?.name ?? '';
  const exists = (await client.find(resource, { namespace: manifest.metadata?.namespace, name })) !== undefined;
  return { resource, kind, name, mode, manifest, exists };
}

/**
 * Everything install would apply, in order, read from the cluster only to decide (the ConfigMap check, what exists):
 * `--dry-run` prints it, `install` applies it. Throws before anything is changed when the ConfigMap is missing or invalid.
 */
export async function planInstall(options: InstallOptions): Promise<PlannedObject[]> {
  const { client, namespace, log } = options;
  const plan: PlannedObject[] = [];
  const add = async (manifest: Manifest & { kind?: string | undefined }, mode: PlannedObject['mode']): Promise<void> => {
    plan.push(await planned(client, manifest, mode));
  };
  if (options.crdsOnly === true) {
    for (const crd of veleroCrds()) await add(crd, 'absent');
    return plan;
  }
  const installed = await client.find<DaemonSet>(R.daemonSets, { namespace, name: NODE_AGENT_DAEMONSET });
  const configMap = nodeAgentConfigMap(options.nodeAgentConfigMap, installed, log);
  const hash = configMap === undefined ? undefined : await checkConfigMap(client, namespace, configMap, log);
  for (const crd of veleroCrds()) await add(crd, 'absent');
  await add(namespaceManifest(namespace), 'absent');
  await add(serviceAccountManifest(namespace), 'absent');
  await add(clusterRoleManifest(namespace), 'replace');
  await add(clusterRoleBindingManifest(namespace), 'replace');
  await add(roleManifest(namespace), 'replace');
  await add(roleBindingManifest(namespace), 'replace');
  await add(repositorySecretManifest(namespace), 'absent');
  const existing = await defaultStorageLocation(client, namespace);
  if (existing === undefined) {
    for (const m of await backupStorage(client, namespace, options.storage, log)) await add(m, 'absent');
  } else {
    const flagsGiven = options.storage?.bucket !== undefined;
    // Silent on re-runs over the location install made itself, unless flags that now do nothing were given.
    if (flagsGiven || existing.location.metadata.labels?.component !== INSTALL_LABELS.component) {
      const why = existing.marked ? 'spec.default' : `named ${DEFAULT_LOCATION_NAME}, none marked spec.default`;
      log(`note: BackupStorageLocation "${existing.name}" (${why}) is the default in ${namespace} and is used as it is${flagsGiven ? '; --provider/--bucket/… are ignored' : ''}`);
    }
    plan.push({ resource: R.backupStorageLocations, kind: 'BackupStorageLocation', name: existing.name, mode: 'absent', manifest: undefined, exists: true });
  }
  const ds = nodeAgentDaemonSet({
    namespace,
    image: options.image,
    nodeAgentConfigMap: configMap,
    dataMoverName: options.dataMoverName,
    prepareTimeout: options.prepareTimeout,
    configHash: hash,
    resources: options.resources,
    tolerations: options.tolerations,
  });
  await add(ds, 'replace');
  return plan;
}

const written = (p: PlannedObject): boolean => p.manifest !== undefined && (p.mode === 'replace' || !p.exists);

/** What `--dry-run` prints: the objects that would be written (created, or replaced to converge). */
export function dryRunObjects(plan: readonly PlannedObject[]): Manifest[] {
  return plan.filter(written).map((p) => p.manifest as Manifest);
}

/**
 * Objects that exist and are kept, so `--dry-run` leaves them out: printing them would not be what install applies,
 * and re-printing the password Secret with a fresh random value would replace the repository password if applied.
 */
export function keptObjects(plan: readonly PlannedObject[]): PlannedObject[] {
  return plan.filter((p) => !written(p));
}

async function waitForCrds(client: KubeClient, plan: readonly PlannedObject[]): Promise<void> {
  for (const { name } of plan.filter((p) => p.kind === 'CustomResourceDefinition')) {
    await pollUntil(
      async () => {
        const current = await client.find<Crd>(R.customResourceDefinitions, { name });
        return current?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: `CustomResourceDefinition ${name} to be established` },
    );
  }
}

/** `; not ready: pod p on node-2: not scheduled: 0/5 nodes are available: 1 Insufficient cpu.`, for a timeout's message. */
async function notReadyPods(client: KubeClient, ds: DaemonSet): Promise<string> {
  const pods = (await daemonSetPods(client, ds)).filter((p) => p.metadata?.deletionTimestamp === undefined && !isPodReady(p));
  if (pods.length === 0) return '';
  const shown = pods.slice(0, 3).map((p) => `pod ${p.metadata?.name ?? ''}${p.spec?.nodeName === undefined ? '' : ` on ${p.spec.nodeName}`}: ${notReadyReason(p)}`);
  return `; not ready: ${shown.join('; ')}${pods.length > shown.length ? `; and ${pods.length - shown.length} more` : ''}`;
}

/** Ready once every node that should run a node-agent runs one of the current template, and it is Ready. */
export async function waitForNodeAgents(client: KubeClient, namespace: string, timeoutMs: number, signal?: AbortSignal): Promise<{ ready: number; desired: number }> {
  let last = 'no status yet';
  return pollUntil(
    async () => {
      const ds = await client.get<DaemonSet>(R.daemonSets, { namespace, name: NODE_AGENT_DAEMONSET });
      const s = ds.status;
      const desired = s?.desiredNumberScheduled ?? 0;
      const ready = s?.numberReady ?? 0;
      const updated = s?.updatedNumberScheduled ?? 0;
      const observed = (s?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 1);
      if (observed && s !== undefined && ready === desired && updated === desired && (s.numberUnavailable ?? 0) === 0) return { ready, desired };
      last = `${ready} of ${desired} ready, ${updated} updated${await notReadyPods(client, ds)}`;
      return undefined;
    },
    { timeoutMs, intervalMs: 500, signal, what: `the node-agent DaemonSet ${namespace}/${NODE_AGENT_DAEMONSET} to be ready`, lastState: () => last },
  );
}

function daemonSetMerge(next: DaemonSet, existing: DaemonSet): void {
  // Keep `kubectl rollout restart`'s annotation, so re-running install does not roll the node-agents again.
  const kept = existing.spec?.template.metadata?.annotations;
  const template = next.spec?.template.metadata;
  if (kept !== undefined && template !== undefined) template.annotations = { ...kept, ...template.annotations };
}

/**
 * Installs Ferry's node-agent into a cluster, idempotently: Velero's CRDs where absent, the namespace, the `ferry`
 * service account and its RBAC, the repository password Secret (kept if it exists), the `default`
 * BackupStorageLocation when there is no default one (none marked `spec.default` nor named `default`; from the
 * storage flags, or the local cluster's object store), and the `ferry-node-agent` DaemonSet. The node-agent
 * ConfigMap is checked before anything is changed.
 */
export async function install(options: InstallOptions): Promise<InstallResult> {
  const { client, namespace, log } = options;
  const plan = await planInstall(options);
  const steps: InstallStep[] = [];
  let crdsWaited = false;
  for (const p of plan) {
    if (p.kind !== 'CustomResourceDefinition' && !crdsWaited) {
      await waitForCrds(client, plan);
      crdsWaited = true;
    }
    let action: ApplyAction;
    if (p.manifest === undefined) action = 'kept';
    else if (p.mode === 'absent') action = await createIfAbsent(client, p.resource, p.manifest);
    else action = await createOrReplace(client, p.resource, p.manifest as DaemonSet, p.kind === 'DaemonSet' ? daemonSetMerge : undefined);
    const step = { kind: p.kind, name: p.name, action };
    steps.push(step);
    options.onStep?.(step);
  }
  if (!crdsWaited) await waitForCrds(client, plan);
  if (!options.wait || options.crdsOnly === true) return { steps };
  log(`waiting for the node-agent to be ready on every node it runs on…`);
  const nodeAgents = await waitForNodeAgents(client, namespace, options.waitTimeoutMs);
  if (nodeAgents.desired === 0) log('warning: the node-agent DaemonSet runs on no node: no data movement can start');
  return { steps, nodeAgents };
}
