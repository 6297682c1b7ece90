/**
 * @module labels
 * How one label requirement matches a set of labels, with apimachinery's semantics (`labels.Requirement.Matches`),
 * shared by LabelSelectors, node selector terms and the API server's `labelSelector` queries.
 */

export type Labels = Readonly<Record<string, string>>;

/** The operators of LabelSelectors (`In`…`DoesNotExist`) and node selectors (those plus `Gt`, `Lt`). */
export const LABEL_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
export const NODE_SELECTOR_OPERATORS = [...LABEL_SELECTOR_OPERATORS, 'Gt', 'Lt'] as const;
export type NodeSelectorOperator = (typeof NODE_SELECTOR_OPERATORS)[number];

export interface Requirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[] | undefined;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's `strconv.ParseInt(v, 10, 64)`: an optional sign and decimal digits, within int64; else `undefined`. */
export function parseInt64(value: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(value)) return undefined;
  const n = BigInt(value);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

export function isNodeSelectorOperator(op: string): op is NodeSelectorOperator {
  return (NODE_SELECTOR_OPERATORS as readonly string[]).includes(op);
}

/**
 * True when `labels` satisfy `req`. NotIn and DoesNotExist match objects that lack the label; Gt/Lt need the label
 * and both sides to be base-10 int64. An unknown operator matches nothing (the scheduler treats it as a parse error).
 */
export function matchesRequirement(req: Requirement, labels: Labels): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = has ? labels[req.key] : undefined;
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const actual = parseInt64(value);
      const bound = parseInt64(values[0] ?? '');
      if (actual === undefined || bound === undefined) return false;
      return req.operator === 'Gt' ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}
