import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/*
 * envoy/envoy.yaml as the tests read it: the text, the parsed document, and a walker that names the
 * path when something is missing. Shared by every envoy-*.test.ts.
 */

export type Json = unknown;

export const ENVOY_DIR = new URL('../../../envoy/', import.meta.url);
export const envoyText = readFileSync(new URL('envoy.yaml', ENVOY_DIR), 'utf8');
export const envoyConfig: Json = parse(envoyText);

/** Walks into parsed YAML by keys and indexes, failing the test with the path when something is missing. */
export function at(value: Json, ...path: (string | number)[]): Json {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !(key in current)) {
      throw new Error(`envoy.yaml has nothing at ${path.join('.')} (stopped at ${String(key)})`);
    }
    current = (current as Record<string | number, Json>)[key];
  }
  return current;
}

export function list(value: Json): Json[] {
  if (!Array.isArray(value)) throw new Error('expected a list');
  return value;
}

export const listeners = list(at(envoyConfig, 'static_resources', 'listeners'));
export const clusters = list(at(envoyConfig, 'static_resources', 'clusters'));

export function listenerNamed(name: string): Json {
  const found = listeners.find((listener) => at(listener, 'name') === name);
  if (found === undefined) throw new Error(`envoy.yaml has no listener ${name}`);
  return found;
}

export function clusterNamed(name: string): Json {
  const found = clusters.find((cluster) => at(cluster, 'name') === name);
  if (found === undefined) throw new Error(`envoy.yaml has no cluster ${name}`);
  return found;
}

/** The HTTP connection manager of a listener's (only) filter chain. */
export function connectionManagerOf(listenerName: string): Json {
  return at(listenerNamed(listenerName), 'filter_chains', 0, 'filters', 0, 'typed_config');
}
