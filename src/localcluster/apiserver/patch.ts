/**
 * @module patch
 * The three PATCH body types kube-apiserver accepts for built-in kinds, applied to an object's JSON: JSON merge
 * patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch (Kubernetes' merge that knows which lists
 * merge by which key). Each returns a new object and leaves its inputs alone; a patch that cannot be applied
 * throws `PatchError`, whose `status` is what the real server answers.
 */

export { PatchError } from './patch/errors.js';
export { applyMergePatch } from './patch/merge.js';
export { applyJsonPatch } from './patch/jsonpatch.js';
export { applyStrategicMergePatch } from './patch/strategic.js';
