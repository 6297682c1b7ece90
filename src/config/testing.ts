/** Helpers for this module's tests: check a config given as a value, and pick the issue at a path. */
import assert from 'node:assert/strict';
import { parseConfigText } from './parse.js';
import type { ConfigIssue, ConfigReport } from './types.js';

export function check(config: unknown): ConfigReport {
  return parseConfigText(JSON.stringify(config), 'test.json');
}

/** The message of the only issue at `path`; fails the test when there is none or more than one. */
export function messageAt(issues: readonly ConfigIssue[], path: string): string {
  const found = issues.filter((i) => i.path === path);
  assert.equal(found.length, 1, `expected one issue at ${path}, got ${JSON.stringify(issues, null, 1)}`);
  return found[0]?.message ?? '';
}

/** A config with one loadAffinity entry holding these match expressions. */
export function withExpressions(...matchExpressions: { key: string; operator: string; values?: string[] }[]): unknown {
  return { loadAffinity: [{ nodeSelector: { matchExpressions } }] };
}
