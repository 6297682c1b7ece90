/** Builds a ResourceType from the few facts that differ between resources. */
import { defaultTable } from '../tables/other.js';
import { ALL_VERBS, type KindBehavior, type ResourceType, type Subresource, type Verb } from '../types.js';

export interface ResourceDefinition {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular?: string;
  namespaced: boolean;
  shortNames?: readonly string[];
  categories?: readonly string[];
  subresources?: readonly Subresource[];
  verbs?: readonly Verb[];
  storageKey?: string;
  behavior?: Partial<KindBehavior>;
  fromStorage?: ResourceType['fromStorage'];
  toStorage?: ResourceType['toStorage'];
}

const DEFAULT_BEHAVIOR: KindBehavior = {
  tracksGeneration: false,
  statusSubresource: false,
  keepsStatusOnCreate: false,
  customResource: false,
  returnsDeletedObject: false,
  requiresResourceVersionOnUpdate: false,
  nameRule: 'subdomain',
  table: defaultTable,
  selectableFields: [],
  strategicMerge: true,
};

export function defineResource(def: ResourceDefinition): ResourceType {
  const subresources = def.subresources ?? [];
  return {
    group: def.group,
    version: def.version,
    kind: def.kind,
    listKind: `${def.kind}List`,
    plural: def.plural,
    singular: def.singular ?? def.kind.toLowerCase(),
    namespaced: def.namespaced,
    shortNames: def.shortNames ?? [],
    categories: def.categories ?? [],
    verbs: def.verbs ?? ALL_VERBS,
    subresources,
    storageKey: def.storageKey ?? `${def.group}/${def.plural}`,
    behavior: { ...DEFAULT_BEHAVIOR, statusSubresource: subresources.includes('status'), ...def.behavior },
    ...(def.fromStorage === undefined ? {} : { fromStorage: def.fromStorage }),
    ...(def.toStorage === undefined ? {} : { toStorage: def.toStorage }),
  };
}
