/** What `ferry config validate` prints for a report: one line per problem and a summary, or one JSON object. */
import type { ConfigReport } from './types.js';

export type ReportFormat = 'text' | 'json';

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `2 errors, 1 warning` (warnings only when there are some). */
export function issueCounts({ errors, warnings }: Pick<ConfigReport, 'errors' | 'warnings'>): string {
  return `${count(errors.length, 'error')}${warnings.length === 0 ? '' : `, ${count(warnings.length, 'warning')}`}`;
}

/** `error: <path>: <message>` lines, then `warning: …` lines. */
export function formatIssues({ errors, warnings }: ConfigReport): string {
  return [...errors.map((i) => `error: ${i.path}: ${i.message}\n`), ...warnings.map((i) => `warning: ${i.path}: ${i.message}\n`)].join('');
}

/** `<source>: valid (2 warnings)` or `<source>: invalid: 3 errors, 1 warning`. */
export function formatSummary({ source, errors, warnings }: ConfigReport): string {
  if (errors.length === 0) return `${source}: valid${warnings.length === 0 ? '' : ` (${count(warnings.length, 'warning')})`}\n`;
  return `${source}: invalid: ${issueCounts({ errors, warnings })}\n`;
}

/** The text form is the issue lines followed by the summary; the JSON form is `{valid, errors, warnings}`. */
export function formatReport(report: ConfigReport, format: ReportFormat): string {
  if (format === 'text') return formatIssues(report) + formatSummary(report);
  const strip = ({ path, message }: { path: string; message: string }): { path: string; message: string } => ({ path, message });
  return `${JSON.stringify({ valid: report.errors.length === 0, errors: report.errors.map(strip), warnings: report.warnings.map(strip) }, null, 2)}\n`;
}
