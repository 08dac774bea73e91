/*
 * The metric names a PromQL expression reads, for checking dashboards and rules against the series
 * the product emits (emitted-metrics.ts). Not a PromQL parser: it strips what cannot hold a metric
 * name (strings, label matchers, range and subquery brackets, grouping clauses), then keeps the
 * identifiers that are neither a function call nor a keyword. Good enough for the expressions of
 * deploy/k8s/components/monitoring, which its test runs through it.
 */

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'offset',
  'bool',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...stripped.matchAll(/(?<![\w.:$])([a-zA-Z_:][\w:]*)(?![\w:])(?!\s*\()/g)]
    .map(([, name]) => name ?? '')
    .filter((name) => !KEYWORDS.has(name.toLowerCase()));
  return [...new Set(names)];
}
