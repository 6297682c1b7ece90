/**
 * The JSONPath subset CRD printer columns and selectable fields use: `.a.b`, `.a[0].b`, `.a['b.c']`, `.a[*].b`.
 */

type Step = { field: string } | { index: number } | { all: true };

export function parseJsonPath(path: string): Step[] | undefined {
  const steps: Step[] = [];
  const text = path.replace(/^\{(.*)\}$/, '$1').trim();
  const re = /\.([A-Za-z0-9_\-$]+)|\[(\d+)\]|\[\*\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m === null) return undefined;
    if (m[1] !== undefined) steps.push({ field: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ field: m[3] });
    else if (m[4] !== undefined) steps.push({ field: m[4] });
    else steps.push({ all: true });
    pos = re.lastIndex;
  }
  return steps;
}

/** Every value the path reaches, in document order. */
export function evaluateJsonPath(steps: readonly Step[], root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if ('field' in step) {
        if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, step.field)) {
          next.push((value as Record<string, unknown>)[step.field]);
        }
      } else if (Array.isArray(value)) {
        if ('all' in step) next.push(...(value as unknown[]));
        else if (step.index < value.length) next.push(value[step.index]);
      }
    }
    current = next;
  }
  return current;
}
