import { field, type KubeObject, type Overlay, parseManifests, records, renderOverlay } from './manifests.js';

/* Shared by the render test files: each overlay rendered once per file, and lookups by kind and name. */

const rendered = new Map<Overlay, KubeObject[]>();
export function objectsOf(overlay: Overlay): KubeObject[] {
  let objects = rendered.get(overlay);
  if (objects === undefined) {
    objects = parseManifests(renderOverlay(overlay));
    rendered.set(overlay, objects);
  }
  return objects;
}

export function find(objects: readonly KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) throw new Error(`${kind}/${name} is not rendered`);
  return found;
}

export function findPrefixed(objects: readonly KubeObject[], kind: string, prefix: string): KubeObject {
  const found = objects.find(
    (object) => object.kind === kind && object.metadata.name.startsWith(`${prefix}-`),
  );
  if (found === undefined) throw new Error(`no ${kind} named ${prefix}-<hash> is rendered`);
  return found;
}

/** The first container of a workload's pod template (a Deployment, a Job, a StatefulSet). */
export function firstContainer(workload: unknown): Record<string, unknown> | undefined {
  return records(field(workload, 'spec', 'template', 'spec', 'containers'))[0];
}
