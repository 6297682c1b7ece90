/**
 * @module exposer
 * What a data-mover pod needs to reach a volume's data, with Velero's verbs (expose / peek / diagnose / cleanUp).
 * Nouns: the **source snapshot** (the user's VolumeSnapshot, only read); its **clone** (a VolumeSnapshotContent with
 * the same handle and a VolumeSnapshot in the install namespace); the **backup PVC** provisioned from the clone; the
 * **data-mover pod** that mounts it, placed by loadAffinity; the **diagnosis**: why that pod is not running yet.
 */
export type { Exposer } from './types.js';
export { CsiSnapshotExposer, type SnapshotExposerOptions } from './csi-snapshot.js';
export { RestoreExposer, type RestoreExposerOptions } from './restore.js';
export { buildBackupPod, type BackupPodInput } from './backup-pod.js';
export { inheritedFromDaemonSet, readInheritedPodInfo, type InheritedPodInfo } from './inherited.js';
export { podProblem, terminationMessage } from './pod-state.js';
export { diagnosePlacement, type PlacementFacts } from './diagnose.js';
export { readyNodeAgentNodes, isReadyNodeAgent } from './node-agents.js';
export { podResourceRequirements } from './resources.js';
export { volumeTopology } from './topology.js';
