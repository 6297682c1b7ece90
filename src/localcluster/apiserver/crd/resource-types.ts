/**
 * Turns a CustomResourceDefinition into the resources it serves: one per served version, sharing one storage key,
 * with its schema, printer columns, selectable fields and status subresource.
 */
import { asArray, asRecord, asString } from '../json.js';
import { defineResource } from '../resources/define.js';
import type { KubeObject, ResourceType, StoredObject } from '../types.js';
import { printerTable } from './printer.js';
import { compileSchema } from './schema.js';

export function crdResourceTypes(crd: KubeObject): ResourceType[] {
  const spec = asRecord(crd['spec']);
  const names = asRecord(spec['names']);
  const group = asString(spec['group']) ?? '';
  const plural = asString(names['plural']) ?? '';
  const kind = asString(names['kind']) ?? '';
  const versions = asArray(spec['versions']).map(asRecord);
  const storageVersion = asString(versions.find((v) => v['storage'] === true)?.['name']) ?? '';
  const storageApiVersion = `${group}/${storageVersion}`;
  return versions
    .filter((v) => v['served'] !== false)
    .map((v) => {
      const version = asString(v['name']) ?? '';
      const apiVersion = `${group}/${version}`;
      const subresources = asRecord(v['subresources']);
      return defineResource({
        group,
        version,
        kind,
        plural,
        singular: asString(names['singular']) ?? kind.toLowerCase(),
        namespaced: spec['scope'] === 'Namespaced',
        shortNames: asArray(names['shortNames']).map(String),
        categories: asArray(names['categories']).map(String),
        subresources: subresources['status'] === undefined ? [] : ['status'],
        storageKey: `${group}/${plural}`,
        behavior: {
          customResource: true,
          tracksGeneration: true,
          requiresResourceVersionOnUpdate: true,
          nameRule: 'pathSegment',
          table: printerTable(v['additionalPrinterColumns']),
          selectableFields: asArray(v['selectableFields']).map((f) => (asString(asRecord(f)['jsonPath']) ?? '').replace(/^\./, '')),
          schema: compileSchema(asRecord(v['schema'])['openAPIV3Schema']),
          strategicMerge: false,
        },
        fromStorage: (obj: StoredObject) => (obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion }),
        toStorage: (obj: KubeObject) => (obj.apiVersion === storageApiVersion ? obj : { ...obj, apiVersion: storageApiVersion }),
      });
    });
}
