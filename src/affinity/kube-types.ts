/**
 * The Kubernetes objects node selection reads and builds, as plain JSON object types. @kubernetes/client-node models
 * them as classes, but Ferry only ever handles them as plain data (API responses and YAML files parse to plain
 * objects; nothing is built with `new`). These types say so, and values of them stay assignable to the client's classes.
 */
import type {
  V1Affinity,
  V1LabelSelector,
  V1Node,
  V1NodeSelector,
  V1NodeSelectorRequirement,
  V1NodeSelectorTerm,
  V1Taint,
  V1Toleration,
} from '@kubernetes/client-node';

/** A client model class as the plain object type it describes (deeply). */
export type Plain<T> = T extends readonly (infer U)[]
  ? Plain<U>[]
  : T extends Date
    ? T
    : T extends object
      ? { [K in keyof T]: Plain<T[K]> }
      : T;

export type Affinity = Plain<V1Affinity>;
export type LabelSelector = Plain<V1LabelSelector>;
export type Node = Plain<V1Node>;
export type NodeSelector = Plain<V1NodeSelector>;
export type NodeSelectorRequirement = Plain<V1NodeSelectorRequirement>;
export type NodeSelectorTerm = Plain<V1NodeSelectorTerm>;
export type Taint = Plain<V1Taint>;
export type Toleration = Plain<V1Toleration>;
