/**
 * The resource registry: every resource the server serves, built-in or defined by a CRD, looked up by request path
 * (group, version, plural) or by kind. CRD-defined resources come and go at run time; `generation` changes with
 * them so discovery and OpenAPI documents know when to change.
 */
import type { ResourceType } from './types.js';

export interface GroupInfo {
  name: string;
  /** Versions in Kubernetes' priority order; the first is the preferred one. */
  versions: string[];
}

/** Kubernetes' version priority: GA before beta before alpha, higher numbers first, then other names by name. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (m === null) return undefined;
    const stage = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [stage, Number(m[1]), Number(m[3] ?? 0)];
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa === undefined || pb === undefined) {
    if (pa !== undefined) return -1;
    if (pb !== undefined) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return pb[0] - pa[0] || pb[1] - pa[1] || pb[2] - pa[2];
}

export class ResourceRegistry {
  readonly #builtin: ResourceType[];
  readonly #dynamic = new Map<string, ResourceType[]>();
  #byPath = new Map<string, ResourceType>();
  #generation = 0;

  constructor(builtin: readonly ResourceType[]) {
    this.#builtin = [...builtin];
    this.#reindex();
  }

  /** Changes whenever the set of served resources changes. */
  get generation(): number {
    return this.#generation;
  }

  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    return this.#byPath.get(`${group}/${version}/${plural}`);
  }

  all(): ResourceType[] {
    return [...this.#byPath.values()];
  }

  resources(group: string, version: string): ResourceType[] {
    return this.all().filter((t) => t.group === group && t.version === version);
  }

  /** The preferred version's resource for a kind, e.g. for owner references and garbage collection. */
  byKind(group: string, kind: string): ResourceType | undefined {
    const candidates = this.all().filter((t) => t.group === group && t.kind === kind);
    return candidates.sort((a, b) => compareVersions(a.version, b.version))[0];
  }

  /** A resource that reads and writes objects of a storage key (the first registered, i.e. the built-in or stored version). */
  byStorageKey(storageKey: string): ResourceType | undefined {
    for (const t of this.#byPath.values()) if (t.storageKey === storageKey) return t;
    return undefined;
  }

  /** Every storage key of namespaced resources, once each. */
  namespacedStorageKeys(): string[] {
    return [...new Set(this.all().filter((t) => t.namespaced).map((t) => t.storageKey))];
  }

  /** Groups in registration order (built-ins first), each with its versions sorted by priority. */
  groups(): GroupInfo[] {
    const groups = new Map<string, Set<string>>();
    for (const t of this.#byPath.values()) {
      let versions = groups.get(t.group);
      if (versions === undefined) {
        versions = new Set();
        groups.set(t.group, versions);
      }
      versions.add(t.version);
    }
    return [...groups].map(([name, versions]) => ({ name, versions: [...versions].sort(compareVersions) }));
  }

  /** Replaces the resources a CRD defines (an empty list removes them). */
  setDynamic(owner: string, types: readonly ResourceType[]): void {
    if (types.length === 0) this.#dynamic.delete(owner);
    else this.#dynamic.set(owner, [...types]);
    this.#reindex();
  }

  #reindex(): void {
    const byPath = new Map<string, ResourceType>();
    for (const t of [...this.#builtin, ...[...this.#dynamic.values()].flat()]) {
      const key = `${t.group}/${t.version}/${t.plural}`;
      if (!byPath.has(key)) byPath.set(key, t);
    }
    this.#byPath = byPath;
    this.#generation++;
  }
}
