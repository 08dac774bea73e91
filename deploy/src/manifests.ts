import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** The deploy/ folder and the repository root, wherever the checkout lives. */
export const DEPLOY_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = join(DEPLOY_DIR, '..');

export const OVERLAYS = ['sandbox', 'production'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/** A rendered Kubernetes object: only the type metadata is trusted, the rest is checked field by field. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string } & Record<string, unknown>;
  readonly [field: string]: unknown;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Follows a path of keys through nested objects; undefined as soon as one step is missing. */
export function field(value: unknown, ...path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

export function describe(object: KubeObject): string {
  return `${object.kind}/${object.metadata.name}`;
}

/** Turns parsed YAML documents into objects, refusing anything that is not a typed Kubernetes object. */
export function toKubeObjects(documents: readonly unknown[]): KubeObject[] {
  return documents
    .filter((document) => document !== null && document !== undefined)
    .map((document, index) => {
      const name = field(document, 'metadata', 'name');
      if (
        !isRecord(document) ||
        typeof document.apiVersion !== 'string' ||
        typeof document.kind !== 'string' ||
        typeof name !== 'string'
      ) {
        throw new Error(
          `document ${index} is not a Kubernetes object with apiVersion, kind and metadata.name`,
        );
      }
      return document as KubeObject;
    });
}

export function parseManifests(text: string): KubeObject[] {
  const documents = parseAllDocuments(text).map((document) => {
    if (document.errors.length > 0) throw new Error(`invalid YAML: ${document.errors[0]?.message}`);
    return document.toJS() as unknown;
  });
  return toKubeObjects(documents);
}

/**
 * kubectl carries kustomize; KUBECTL overrides where it is found. There is no cluster here, and
 * `kubectl kustomize` needs none.
 */
export function findKubectl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.KUBECTL !== undefined && env.KUBECTL !== '') return env.KUBECTL;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'kubectl');
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function kustomizeDir(overlay: Overlay): string {
  return join(DEPLOY_DIR, 'k8s', 'overlays', overlay);
}

/**
 * Renders an overlay exactly as deploy/README.md tells operators to: plain `kubectl kustomize`, no
 * load-restrictor flag (envoy/*.yaml reach the render through envoy/kustomization.yaml).
 */
export function renderOverlay(overlay: Overlay): string {
  const kubectl = findKubectl();
  if (kubectl === undefined) {
    throw new Error(
      'kubectl not found on PATH (set KUBECTL=/path/to/kubectl): it renders the kustomizations',
    );
  }
  return execFileSync(kubectl, ['kustomize', kustomizeDir(overlay)], {
    encoding: 'utf8',
    maxBuffer: 32 * 1024 * 1024,
    timeout: 60_000,
  });
}
