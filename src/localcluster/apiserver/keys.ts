/** Storage keys the server itself looks objects up by. */
export const NAMESPACES = '/namespaces';
export const CRDS = 'apiextensions.k8s.io/customresourcedefinitions';
export const SERVICE_ACCOUNTS = '/serviceaccounts';
export const PODS = '/pods';
export const STORAGE_CLASSES = 'storage.k8s.io/storageclasses';

/** RFC 3339 with whole seconds, as `metav1.Time` serialises. */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
