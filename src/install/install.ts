import { formatIssues, parseConfigMap } from '../config/index.js';
import type { KubeClient } from '../kube/client.js';
import { veleroCrds } from '../kube/crds.js';
import type { ConfigMap, DaemonSet, Secret } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { LOCAL_OBJECT_STORE, LOCAL_OBJECT_STORE_NAMESPACE, NODE_AGENT_DAEMONSET } from '../kube/velero.js';
import { pollUntil } from '../kube/wait.js';
import { FerryError } from '../util/errors.js';
import { createIfAbsent, createOrReplace, type ApplyAction } from './apply.js';
import {
  clusterRoleBindingManifest,
  clusterRoleManifest,
  INSTALL_LABELS,
  localBackupStorageLocation,
  namespaceManifest,
  nodeAgentDaemonSet,
  repositorySecretManifest,
  serviceAccountManifest,
  type LocalObjectStore,
} from './manifests.js';

export interface InstallOptions {
  client: KubeClient;
  namespace: string;
  image: string;
  nodeAgentConfigMap?: string | undefined;
  dataMoverName?: string | undefined;
  prepareTimeout?: string | undefined;
  /** Wait until the node-agent runs and is ready on every node it should run on. */
  wait: boolean;
  waitTimeoutMs: number;
  /** Progress and warnings, one line each, for people. */
  log: (line: string) => void;
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

/** Velero's install check: the ConfigMap must exist in the install namespace and be valid; its warnings are shown. */
async function checkConfigMap(client: KubeClient, namespace: string, name: string, log: (line: string) => void): Promise<void> {
  const cm = await client.find<ConfigMap>(R.configMaps, { namespace, name });
  const report = parseConfigMap(cm, name, { namespace });
  if (report.errors.length > 0) {
    throw new FerryError('ConfigInvalid', `--node-agent-configmap specified ConfigMap ${name} is invalid:\n${formatIssues({ ...report, warnings: [] }).trimEnd()}`, {
      hint: cm === undefined ? `create it first: kubectl create cm ${name} -n ${namespace} --from-file=<config.json>` : 'fix the ConfigMap and run ferry install again; nothing was changed',
    });
  }
  for (const { path, message } of report.warnings) log(`warning: ConfigMap ${namespace}/${name}: ${path}: ${message}`);
}

async function installCrds(client: KubeClient, steps: InstallStep[]): Promise<void> {
  const crds = veleroCrds();
  for (const crd of crds) {
    steps.push({ kind: 'CustomResourceDefinition', name: crd.metadata?.name ?? '', action: await createIfAbsent(client, R.customResourceDefinitions, crd) });
  }
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    await pollUntil(
      async () => {
        const current = await client.find<Crd>(R.customResourceDefinitions, { name });
        return current?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: `CustomResourceDefinition ${name} to be established` },
    );
  }
}

/** On a local cluster (`ferry local up`), where its object store is recorded: that store; otherwise `undefined`. */
async function localObjectStore(client: KubeClient): Promise<LocalObjectStore | undefined> {
  const cm = await client.find<ConfigMap>(R.configMaps, { namespace: LOCAL_OBJECT_STORE_NAMESPACE, name: LOCAL_OBJECT_STORE });
  const data = cm?.data;
  if (data?.endpoint === undefined || data.bucket === undefined) return undefined;
  return { endpoint: data.endpoint, bucket: data.bucket, region: data.region ?? 'us-east-1', forcePathStyle: data.s3ForcePathStyle !== 'false' };
}

async function installBackupStorageLocation(client: KubeClient, namespace: string, steps: InstallStep[], log: (line: string) => void): Promise<void> {
  if ((await client.find(R.backupStorageLocations, { namespace, name: 'default' })) !== undefined) {
    steps.push({ kind: 'BackupStorageLocation', name: 'default', action: 'kept' });
    return;
  }
  const store = await localObjectStore(client);
  if (store === undefined) {
    log(`note: there is no BackupStorageLocation "default" in namespace ${namespace}: create one (provider aws, S3-compatible) before backing up`);
    return;
  }
  if (namespace !== LOCAL_OBJECT_STORE_NAMESPACE) {
    // A BSL's credentials Secret must be in the BSL's namespace.
    const secret = await client.get<Secret>(R.secrets, { namespace: LOCAL_OBJECT_STORE_NAMESPACE, name: LOCAL_OBJECT_STORE });
    const copy: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: LOCAL_OBJECT_STORE, namespace, labels: { ...INSTALL_LABELS } }, type: secret.type ?? 'Opaque' };
    if (secret.data !== undefined) copy.data = secret.data;
    steps.push({ kind: 'Secret', name: LOCAL_OBJECT_STORE, action: await createIfAbsent(client, R.secrets, copy) });
  }
  steps.push({ kind: 'BackupStorageLocation', name: 'default', action: await createIfAbsent(client, R.backupStorageLocations, localBackupStorageLocation(namespace, store)) });
  log(`BackupStorageLocation "default" points at the local object store ${store.endpoint} (bucket ${store.bucket})`);
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
      last = `${ready} of ${desired} ready, ${updated} updated`;
      const observed = (s?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 1);
      return observed && s !== undefined && ready === desired && updated === desired && (s.numberUnavailable ?? 0) === 0 ? { ready, desired } : undefined;
    },
    { timeoutMs, intervalMs: 500, signal, what: `the node-agent DaemonSet ${namespace}/${NODE_AGENT_DAEMONSET} to be ready`, lastState: () => last },
  );
}

function daemonSetMerge(next: DaemonSet, existing: DaemonSet): void {
  // Keep `kubectl rollout restart`'s annotation, so re-running install does not roll the node-agents again.
  const restartedAt = existing.spec?.template.metadata?.annotations;
  if (restartedAt !== undefined && next.spec?.template.metadata !== undefined) next.spec.template.metadata.annotations = { ...restartedAt };
}

/**
 * Installs Ferry's node-agent into a cluster, idempotently: Velero's CRDs where absent, the namespace, the `ferry`
 * service account and its RBAC, the repository password Secret (kept if it exists), on a local cluster the `default`
 * BackupStorageLocation, and the `ferry-node-agent` DaemonSet. The node-agent ConfigMap is checked before anything
 * is changed.
 */
export async function install(options: InstallOptions): Promise<InstallResult> {
  const { client, namespace, log } = options;
  const steps: InstallStep[] = [];
  if (options.nodeAgentConfigMap !== undefined && options.nodeAgentConfigMap !== '') await checkConfigMap(client, namespace, options.nodeAgentConfigMap, log);
  await installCrds(client, steps);
  const record = async (kind: string, name: string | undefined, action: Promise<ApplyAction>): Promise<void> => {
    steps.push({ kind, name: name ?? '', action: await action });
  };
  const ns = namespaceManifest(namespace);
  await record('Namespace', namespace, createIfAbsent(client, R.namespaces, ns));
  const sa = serviceAccountManifest(namespace);
  await record('ServiceAccount', sa.metadata.name, createIfAbsent(client, R.serviceAccounts, sa));
  const role = clusterRoleManifest(namespace);
  await record('ClusterRole', `ferry-${namespace}`, createOrReplace(client, R.clusterRoles, role));
  await record('ClusterRoleBinding', `ferry-${namespace}`, createOrReplace(client, R.clusterRoleBindings, clusterRoleBindingManifest(namespace)));
  const secret = repositorySecretManifest(namespace);
  await record('Secret', secret.metadata?.name, createIfAbsent(client, R.secrets, secret));
  await installBackupStorageLocation(client, namespace, steps, log);
  const ds = nodeAgentDaemonSet({
    namespace,
    image: options.image,
    nodeAgentConfigMap: options.nodeAgentConfigMap,
    dataMoverName: options.dataMoverName,
    prepareTimeout: options.prepareTimeout,
  });
  await record('DaemonSet', NODE_AGENT_DAEMONSET, createOrReplace(client, R.daemonSets, ds, daemonSetMerge));
  if (!options.wait) return { steps };
  log(`waiting for the node-agent to be ready on every node it runs on…`);
  const nodeAgents = await waitForNodeAgents(client, namespace, options.waitTimeoutMs);
  if (nodeAgents.desired === 0) log('warning: the node-agent DaemonSet runs on no node: no data movement can start');
  return { steps, nodeAgents };
}
