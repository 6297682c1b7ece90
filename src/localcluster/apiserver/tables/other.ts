/** Table columns of namespaces, configuration, events, coordination, scheduling, RBAC and CRD objects. */
import { asArray, asNumber, asRecord, asString, at } from '../json.js';
import type { KubeObject, TableSpec } from '../types.js';
import { NAME_COLUMN, ageOf, column, nameAgeTable } from './columns.js';

/** Name and Age: what a real server prints for kinds without a printer of their own. */
export const defaultTable = nameAgeTable([], () => []);

const CREATED_AT = column('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.');

/** Name and the creation time as a timestamp (roles, CRDs). */
export const createdAtTable: TableSpec = {
  columns: [NAME_COLUMN, CREATED_AT],
  cells: (obj) => [obj.metadata.name ?? '', obj.metadata.creationTimestamp ?? null],
};

export const namespaceTable = nameAgeTable([column('Status', 'string', 'The status of the namespace')], (ns) => [asString(at(ns, 'status', 'phase')) ?? '']);

function countKeys(...maps: unknown[]): number {
  return maps.reduce<number>((n, m) => n + Object.keys(asRecord(m)).length, 0);
}

export const configMapTable = nameAgeTable([column('Data', 'string', 'Contains the data of the ConfigMap.')], (cm) => [countKeys(cm['data'], cm['binaryData'])]);

export const secretTable = nameAgeTable(
  [column('Type', 'string', 'The type of the secret'), column('Data', 'string', 'The number of data entries in the secret')],
  (secret) => [asString(secret['type']) ?? 'Opaque', countKeys(secret['data'])],
);

export const serviceAccountTable = nameAgeTable([column('Secrets', 'string', 'The number of secrets')], (sa) => [asArray(sa['secrets']).length]);

function eventObject(event: KubeObject): string {
  const involved = asRecord(event['involvedObject']);
  return `${(asString(involved['kind']) ?? '').toLowerCase()}/${asString(involved['name']) ?? ''}`;
}

function lastSeen(event: KubeObject, now: number): string {
  const last = event['lastTimestamp'] ?? event['eventTime'] ?? event.metadata.creationTimestamp;
  const count = asNumber(event['count']) ?? 1;
  const age = ageOf(last, now);
  if (count <= 1) return age;
  return `${age} (x${count} over ${ageOf(event['firstTimestamp'] ?? event['eventTime'], now)})`;
}

export const eventTable: TableSpec = {
  columns: [
    column('Last Seen', 'string', 'The time the event was last seen.'),
    column('Type', 'string', 'Type of this event (Normal, Warning).'),
    column('Reason', 'string', 'Why the action was taken.'),
    column('Object', 'string', 'The object this event is about.'),
    column('Subobject', 'string', 'The part of the object this event is about.', 1),
    column('Source', 'string', 'The component reporting this event.', 1),
    column('Message', 'string', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'string', 'The time the event was first seen.', 1),
    column('Count', 'string', 'How many times the event occurred.', 1),
    column('Name', 'string', 'The name of the event.', 1),
  ],
  cells(event, now) {
    const source = asRecord(event['source']);
    return [
      lastSeen(event, now),
      asString(event['type']) ?? '',
      asString(event['reason']) ?? '',
      eventObject(event),
      asString(at(event, 'involvedObject', 'fieldPath')) ?? '',
      [asString(source['component']) ?? asString(event['reportingComponent']), asString(source['host'])].filter(Boolean).join(', '),
      asString(event['message']) ?? '',
      ageOf(event['firstTimestamp'] ?? event['eventTime'], now),
      String(asNumber(event['count']) ?? 1),
      event.metadata.name ?? '',
    ];
  },
};

export const leaseTable = nameAgeTable([column('Holder', 'string', 'Name of the Lease holder')], (lease) => [asString(at(lease, 'spec', 'holderIdentity')) ?? '']);

export const priorityClassTable = nameAgeTable(
  [column('Value', 'integer', 'The priority of the pods using this class.'), column('Global-Default', 'boolean', 'Whether this is the default priority class.')],
  (pc) => [asNumber(pc['value']) ?? 0, pc['globalDefault'] === true],
  {
    columns: [column('PreemptionPolicy', 'string', 'The policy for preempting pods with lower priority.')],
    cells: (pc) => [asString(pc['preemptionPolicy']) ?? 'PreemptLowerPriority'],
  },
);

function subjects(binding: KubeObject, kind: string): string {
  const names = asArray(binding['subjects'])
    .map(asRecord)
    .filter((s) => s['kind'] === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${asString(s['namespace']) ?? ''}/${asString(s['name']) ?? ''}` : (asString(s['name']) ?? '')));
  return names.length === 0 ? '' : names.join(', ');
}

export const roleBindingTable = nameAgeTable(
  [column('Role', 'string', 'Role references the role this binding grants.')],
  (rb) => [`${asString(at(rb, 'roleRef', 'kind')) ?? ''}/${asString(at(rb, 'roleRef', 'name')) ?? ''}`],
  {
    columns: [
      column('Users', 'string', 'Users in the binding.', 1),
      column('Groups', 'string', 'Groups in the binding.', 1),
      column('ServiceAccounts', 'string', 'ServiceAccounts in the binding.', 1),
    ],
    cells: (rb) => [subjects(rb, 'User'), subjects(rb, 'Group'), subjects(rb, 'ServiceAccount')],
  },
);
