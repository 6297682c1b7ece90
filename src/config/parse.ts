/**
 * One node-agent config document, from text to report: parse (line and column on syntax errors), bind like Go, then
 * validate. Validation runs on what binding produced, so its findings inside a value that failed to bind, or about an
 * object holding one, would rest on a value the user did not write; they are dropped.
 */
import { describeNode } from './bind.js';
import { describeSyntaxError, parseJson, type JsonParseResult } from './json.js';
import { isWithin, ROOT } from './path.js';
import { nodeAgentConfig } from './schema.js';
import type { ConfigIssue, ConfigReport, IssueLists } from './types.js';
import { validateConfig } from './validate.js';

export interface DocumentOptions {
  source: string;
  /** Path of problems with the document as a whole: `$` for a file, `data.<key>` inside a ConfigMap. */
  rootPath: string;
  /** Starts messages about the document as a whole, e.g. Velero's `error to unmarshall configs from <name>: `. */
  prefix: string;
}

export function analyzeDocument(parsed: JsonParseResult, { source, rootPath, prefix }: DocumentOptions): ConfigReport {
  const unusable = (message: string): ConfigReport => ({ source, config: undefined, errors: [{ path: rootPath, message: prefix + message }], warnings: [] });
  if (!parsed.ok) return unusable(describeSyntaxError(parsed.error));
  const root = parsed.value;
  if (root.kind === 'null') {
    return { source, config: {}, errors: [], warnings: [{ path: rootPath, message: 'the document is null, which configures nothing' }] };
  }
  if (root.kind !== 'object') return unusable(`expected a JSON object (the node-agent configuration), got ${describeNode(root)}`);
  const bound: IssueLists = { errors: [], warnings: [] };
  const config = nodeAgentConfig.bind(root, ROOT, bound) ?? {};
  const checked = validateConfig(config);
  const failed = bound.errors.map((e) => e.path);
  const meaningful = (issue: ConfigIssue): boolean => !failed.some((path) => isWithin(issue.path, path) || isWithin(path, issue.path));
  return {
    source,
    config,
    errors: [...bound.errors, ...checked.errors.filter(meaningful)],
    warnings: [...bound.warnings, ...checked.warnings.filter(meaningful)],
  };
}

/** A raw JSON config document, such as the file given to `kubectl create cm --from-file`. */
export function parseConfigText(text: string, source: string): ConfigReport {
  return analyzeDocument(parseJson(text), { source, rootPath: ROOT, prefix: '' });
}
