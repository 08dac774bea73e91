import { certificateErrors, issuerErrors } from './cert-manager-resources.js';
import { describe, isRecord, type KubeObject } from './manifests.js';

/*
 * Custom resources of operators the cluster runs, which `kubernetes-models` has no schema or type
 * for. Each kind listed here is checked by hand, strictly (unknown keys included); any other kind
 * without a model still fails the schema check.
 */

type Check = (spec: unknown) => string[];

const RULE_KEYS = new Set(['alert', 'record', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations']);
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

function stringMap(value: unknown, path: string): string[] {
  if (value === undefined) return [];
  if (!isRecord(value)) return [`${path} must be an object`];
  return Object.entries(value)
    .filter(([, item]) => typeof item !== 'string')
    .map(([key]) => `${path}/${key} must be a string`);
}

function ruleErrors(rule: unknown, path: string): string[] {
  if (!isRecord(rule)) return [`${path} must be an object`];
  const errors = Object.keys(rule)
    .filter((key) => !RULE_KEYS.has(key))
    .map((key) => `${path}/${key} is not a field of a rule`);
  const named = ['alert', 'record'].filter((key) => typeof rule[key] === 'string' && rule[key] !== '');
  if (named.length !== 1) errors.push(`${path} needs exactly one of alert and record`);
  if (typeof rule.expr !== 'string' || rule.expr.trim() === '')
    errors.push(`${path}/expr must be a PromQL string`);
  for (const key of ['for', 'keep_firing_for']) {
    const value = rule[key];
    if (value !== undefined && (typeof value !== 'string' || !DURATION.test(value))) {
      errors.push(`${path}/${key} must be a duration such as 15m`);
    }
  }
  return [
    ...errors,
    ...stringMap(rule.labels, `${path}/labels`),
    ...stringMap(rule.annotations, `${path}/annotations`),
  ];
}

/** monitoring.coreos.com/v1 PrometheusRule: spec.groups[] of { name, rules[] }. */
function prometheusRuleErrors(spec: unknown): string[] {
  const groups = isRecord(spec) ? spec.groups : undefined;
  if (!Array.isArray(groups) || groups.length === 0) return ['/spec/groups must be a non-empty array'];
  return groups.flatMap((group: unknown, index) => {
    const path = `/spec/groups/${index}`;
    if (!isRecord(group) || typeof group.name !== 'string') return [`${path}/name must be a string`];
    if (!Array.isArray(group.rules) || group.rules.length === 0)
      return [`${path}/rules must be a non-empty array`];
    return group.rules.flatMap((rule: unknown, ruleIndex) => ruleErrors(rule, `${path}/rules/${ruleIndex}`));
  });
}

const ENDPOINT_KEYS = new Set(['port', 'path', 'interval', 'scrapeTimeout', 'honorLabels', 'scheme']);

/** monitoring.coreos.com/v1 ServiceMonitor: a label selector and endpoints naming a Service port. */
function serviceMonitorErrors(spec: unknown): string[] {
  if (!isRecord(spec)) return ['/spec must be an object'];
  const errors = Object.keys(spec)
    .filter((key) => !['selector', 'endpoints', 'namespaceSelector'].includes(key))
    .map((key) => `/spec/${key} is not a field this check knows`);
  const labels = isRecord(spec.selector) ? spec.selector.matchLabels : undefined;
  if (!isRecord(labels) || Object.keys(labels).length === 0)
    errors.push('/spec/selector/matchLabels must select the Service');
  else errors.push(...stringMap(labels, '/spec/selector/matchLabels'));
  const endpoints = spec.endpoints;
  if (!Array.isArray(endpoints) || endpoints.length === 0)
    return [...errors, '/spec/endpoints must be a non-empty array'];
  endpoints.forEach((endpoint: unknown, index) => {
    const path = `/spec/endpoints/${index}`;
    if (!isRecord(endpoint) || typeof endpoint.port !== 'string') {
      errors.push(`${path}/port must name a Service port`);
      return;
    }
    for (const key of Object.keys(endpoint).filter((name) => !ENDPOINT_KEYS.has(name)))
      errors.push(`${path}/${key} is not a field this check knows`);
    for (const key of ['interval', 'scrapeTimeout']) {
      const value = endpoint[key];
      if (value !== undefined && (typeof value !== 'string' || !DURATION.test(value)))
        errors.push(`${path}/${key} must be a duration such as 30s`);
    }
  });
  return errors;
}

const CHECKS: Readonly<Record<string, Check>> = {
  'monitoring.coreos.com/v1 PrometheusRule': prometheusRuleErrors,
  'monitoring.coreos.com/v1 ServiceMonitor': serviceMonitorErrors,
  'cert-manager.io/v1 Issuer': issuerErrors,
  'cert-manager.io/v1 Certificate': certificateErrors,
};

export function isKnownCustomResource(object: KubeObject): boolean {
  return CHECKS[`${object.apiVersion} ${object.kind}`] !== undefined;
}

/** The hand-written check of a known custom resource; undefined for any other kind. */
export function customResourceErrors(object: KubeObject): string[] | undefined {
  const check = CHECKS[`${object.apiVersion} ${object.kind}`];
  if (check === undefined) return undefined;
  const unknownTopLevel = Object.keys(object).filter(
    (key) => !['apiVersion', 'kind', 'metadata', 'spec'].includes(key),
  );
  return [
    ...unknownTopLevel.map((key) => `/${key} is not a field of this object`),
    ...check(object.spec),
  ].map((problem) => `${describe(object)}: ${problem}`);
}
